#!/usr/bin/env node
// An HTTP remoting backend for flexgate in plain Node (node:http, no npm
// packages).
//
// Usage: node backend.js [PORT]   (listens on PORT, by default a free
// loopback port, prints "listening PORT" on its first line, serves until
// killed)
//
// It speaks the JSON of docs/backends.md, as tests/backends/backend.py
// does; this one sends its faults with HTTP 500, which the gateway reads
// the same way. tests/http_backends.rs starts it.
'use strict';

const http = require('node:http');

const LANG = 'node';

const formatDate = (d) => ({ $date: d.toISOString() });

function describe(call) {
  const order = call.args[0];
  if (!order || order.$class !== 'com.example.Order') {
    return [500, { fault: { code: 'Orders.BadType', string: 'expected a com.example.Order', detail: JSON.stringify(order) } }];
  }
  const placed = new Date(order.placed.$date);
  const principal = call.principal;
  return [200, {
    result: {
      $class: 'com.example.Receipt',
      order,
      due: formatDate(new Date(placed.getTime() + 24 * 3600 * 1000)),
      lines: order.lines.length,
      by: principal ? principal.name : null,
      roles: principal ? principal.roles : [],
      lang: LANG,
      messageId: call.messageId,
      clientId: call.headers.DSId === undefined ? null : call.headers.DSId,
    },
  }];
}

async function answer(call, req) {
  const args = call.args;
  switch (call.operation) {
    case 'echo': return [200, { result: args.length ? args[0] : null }];
    case 'echoAll': return [200, { result: args }];
    case 'describe': return describe(call);
    case 'trace': return [200, { result: req.headers.traceparent || null }];
    case 'fail': return [500, { fault: { code: 'Orders.Rejected', string: 'order rejected', detail: LANG } }];
    case 'slow':
      await new Promise((resolve) => setTimeout(resolve, args[0]));
      return [200, { result: 'slept' }];
    case 'garbage': return [200, null];
    case 'status500': return [500, null];
    default: return [200, { fault: { code: 'Server.ResourceUnavailable', string: 'no method ' + call.operation } }];
  }
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    const call = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const [status, body] = await answer(call, req);
    const data = body === null ? 'this is not JSON' : JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) });
    res.end(data);
  });
});

server.listen(Number(process.argv[2] || 0), '127.0.0.1', () => {
  console.log('listening ' + server.address().port);
});
