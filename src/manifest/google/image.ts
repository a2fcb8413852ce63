// Container image references as Docker and Cloud Run read them, after the grammar of the
// distribution project (https://github.com/distribution/reference, reference.go's grammar comment):
//   reference := name [ ":" tag ] [ "@" digest ]
//   name      := [ domain "/" ] path-component [ "/" path-component ]*
//   domain    := domain-component [ "." domain-component ]* [ ":" port ]
//   path-component := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
//   tag       := [\w][\w.-]{0,127}
//   digest    := algorithm ":" hex (32 or more hex digits)
// and a name of at most 255 characters. Checked before any call: Cloud Run refuses a malformed one
// only once the revision is deployed.

const DOMAIN_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const MAX_NAME = 255;

/** Why `image` is not a valid reference, or undefined when it is. */
export function imageProblem(image: string): string | undefined {
  if (image.length > 1024) return 'is too long for an image reference';
  if (/\s/.test(image)) return 'contains white space';
  let rest = image;
  const at = rest.indexOf('@');
  if (at >= 0) {
    const digest = rest.slice(at + 1);
    if (!DIGEST.test(digest)) return `has a malformed digest after "@" (expected ALGORITHM:HEX, e.g. sha256: and 64 hex digits)`;
    rest = rest.slice(0, at);
  }
  // A tag is after the last ":" that comes after the last "/" (a ":" before it is a registry port).
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > slash) {
    const tag = rest.slice(colon + 1);
    if (!TAG.test(tag))
      return `has a malformed tag ${JSON.stringify(tag.slice(0, 40))} (letters, digits, "_", "." and "-", at most 128, not starting with "." or "-")`;
    rest = rest.slice(0, colon);
  }
  if (rest.length === 0) return 'has no image name';
  if (rest.length > MAX_NAME) return `has a name longer than ${MAX_NAME} characters`;
  const parts = rest.split('/');
  // The first part is a registry host when it has a "." or a ":" or is localhost (Docker's rule).
  if (parts.length > 1 && (/[.:]/.test(parts[0]) || parts[0] === 'localhost')) {
    const [host, port, extra] = parts.shift()!.split(':');
    if (extra !== undefined || (port !== undefined && !/^[0-9]+$/.test(port))) return 'has a malformed registry port';
    if (!host.split('.').every((c) => DOMAIN_COMPONENT.test(c))) return `has a malformed registry host ${JSON.stringify(host.slice(0, 60))}`;
  }
  for (const p of parts) {
    if (!PATH_COMPONENT.test(p)) {
      const upper = /[A-Z]/.test(p) ? ' (repository names are lower case)' : '';
      return `has a malformed path component ${JSON.stringify(p.slice(0, 60))}${upper}`;
    }
  }
  return undefined;
}
