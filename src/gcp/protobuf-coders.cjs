// protobufjs makes five functions for a message type the first time any of them is used: encode,
// decode and verify (binary, for gRPC) and fromObject and toObject (objects). Each is generated
// source compiled with `new Function`, which is most of the set-up's cost. The clients run in REST
// mode, where a message goes to and from JSON through fromObject and toObject; encode and decode
// are needed only for an Any (an operation's result is packed in one), verify never. So this set-up
// makes fromObject and toObject as protobufjs does, and each of the other three the first time it is
// called: the same functions, made later or never (~10 ms of a SessionMUSE plan's ~40 ms of decoding).
//
// It replaces Type.prototype.setup of the protobufjs google-gax carries (protobufjs/src/type.js),
// whose steps it repeats: resolve the fields' types, generate with them, wrap the well-known types.
// Where that protobufjs lacks a generator this relies on, its own set-up is left as it is.
'use strict';

const done = new WeakSet();

/** Makes `protobuf.Type` generate encode, decode and verify on first use. */
function lazyCoders(protobuf) {
  const { Type, encoder, decoder, verifier, converter, wrappers, util, Reader, Writer } = protobuf;
  if (done.has(Type)) return;
  done.add(Type);
  const parts = [encoder, decoder, verifier, converter?.fromObject, converter?.toObject, wrappers, util, Reader, Writer];
  if (typeof Type?.prototype?.setup !== 'function' || parts.some((p) => !p)) return;
  Type.prototype.setup = function setup() {
    const types = [];
    for (let i = 0; i < this.fieldsArray.length; ++i) types.push(this._fieldsArray[i].resolve().resolvedType);
    const type = this;
    const onFirstCall = (name, make) => {
      this[name] = function (...args) {
        const generated = make();
        type[name] = generated;
        return generated.apply(this, args);
      };
    };
    onFirstCall('encode', () => encoder(type)({ Writer, types, util }));
    onFirstCall('decode', () => decoder(type)({ Reader, types, util }));
    onFirstCall('verify', () => verifier(type)({ types, util }));
    this.fromObject = converter.fromObject(this)({ types, util });
    this.toObject = converter.toObject(this)({ types, util });
    // The well-known types (Any, Timestamp...) wrap the generated converters, as protobufjs does.
    const wrapper = wrappers[this.fullName];
    if (wrapper) {
      const originalThis = Object.create(this);
      originalThis.fromObject = this.fromObject;
      this.fromObject = wrapper.fromObject.bind(originalThis);
      originalThis.toObject = this.toObject;
      this.toObject = wrapper.toObject.bind(originalThis);
    }
    return this;
  };
}

module.exports = { lazyCoders };
