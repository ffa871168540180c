// Preloaded (NODE_OPTIONS=--require) into comunica-sparql-file-http and its cluster
// workers by tests/comunica_server.py: every server the process starts listens on
// 127.0.0.1 only. Comunica's endpoint calls server.listen(port), which would bind
// every interface, and it has no option for the address.
'use strict';
const net = require('net');
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === 'number' && typeof args[1] !== 'string') {
    args.splice(1, 0, '127.0.0.1');
  } else if (args[0] !== null && typeof args[0] === 'object' && args[0].path === undefined && args[0].host === undefined) {
    args[0] = { ...args[0], host: '127.0.0.1' };
  }
  return listen.apply(this, args);
};
