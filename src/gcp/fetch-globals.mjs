// What the Google libraries' bundle (src/build-bundles.ts) takes for the globals Headers and
// FormData, which Node 20 defines through its own copy of undici: the first use of either loads and
// runs all of undici, ~15-25 ms of a ~0.35 s plan on the 2-core machine, for nothing else, since the
// libraries send every request through node-fetch (google-gax, gaxios 7), node:http or their own
// clients. google-gax builds a Headers for each request and gaxios 7 merges them; gaxios 7 only asks
// whether a request's body is a FormData. node-fetch 2's Headers (of the top-level gaxios 6) is a
// WHATWG Headers without the Proxy of node-fetch 3's, and formdata-polyfill's FormData is the one
// node-fetch 3 itself uses; both are already in the bundle. esbuild's `inject` gives these to the
// references to the globals in the bundle only: nothing else in the process sees them.
// https://esbuild.github.io/api/#inject

export { FormData } from 'formdata-polyfill/esm.min.js';
export { Headers } from 'node-fetch';
