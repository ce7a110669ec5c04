// The socket against a real server: typed frames between two users, the
// send window, heartbeats, a connection kept past its access token's
// expiry, and reconnecting after the server went away, with resync by seq
// handing the app every missed message exactly once and in order.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Server, GENEROUS_LIMITS, user, until, within, connected, texts } from './support.mjs';

describe('socket', () => {
  const server = new Server({ env: { ...GENEROUS_LIMITS, FERROCHAT_AUTH__ACCESS_TTL: '3s' } });
  const clients = [];
  before(() => server.start());
  after(async () => {
    for (const c of clients) c.close();
    await server.stop();
  });

  /** Two users, both connected, and their single conversation's id. */
  async function pair(options = {}) {
    const alice = await user(server, 'alice', options);
    const bob = await user(server, 'bob', options);
    clients.push(alice, bob);
    await alice.connect({ fromNow: true });
    await bob.connect({ fromNow: true });
    await connected(alice);
    await connected(bob);
    const hello = await alice.send({ to_user_id: bob.userId, content: 'hello' });
    return { alice, bob, conversationId: hello.conversation_id };
  }

  test('a message sent by one user is acked and handed to the other once', async () => {
    const { alice, bob, conversationId } = await pair();
    await until('bob to get hello', () => texts(bob, conversationId).length === 1);
    const [m] = bob.seen.messages;
    assert.equal(m.content, 'hello');
    assert.equal(m.from_user_id, alice.userId);
    assert.equal(m.seq, 1);
    // A reply the other way, by conversation id; alice's own send is not handed back to her.
    const ack = await bob.send({ conversation_id: conversationId, content: 'hi alice', client_msg_id: 'bob-1' });
    assert.equal(ack.seq, 2);
    assert.equal(ack.client_msg_id, 'bob-1');
    await until('alice to get the reply', () => texts(alice, conversationId).length === 1);
    assert.deepEqual(texts(alice, conversationId), ['hi alice']);
    // Typed frames besides messages: typing, through onFrame.
    alice.socket.send('typing', { conversation_id: conversationId });
    const typing = await until('bob to see typing', () => bob.seen.frames.find((f) => f.type === 'typing'));
    assert.equal(typing.data.user_id, alice.userId);
    await sleep(300);
    assert.deepEqual(texts(bob, conversationId), ['hello']);
  });

  test('a refused send rejects with the frame error code', async () => {
    const { alice, conversationId } = await pair();
    await assert.rejects(alice.send({ conversation_id: conversationId, content: '' }), {
      name: 'FrameError',
      code: 1001,
    });
    await assert.rejects(alice.send({ conversation_id: '01a2090a-6906-717e-8a2c-8311fbcfdb13', content: 'x' }), (e) =>
      [1003, 1005].includes(e.code),
    );
  });

  test('at most `sendWindow` sends wait for their ack; all arrive, in order', async () => {
    const { alice, bob, conversationId } = await pair({ sendWindow: 4 });
    // Counted as each send goes on the wire: those already out, plus it.
    let most = 0;
    const send = alice.socket.send.bind(alice.socket);
    alice.socket.send = (type, data, id) => {
      if (type === 'send-message') most = Math.max(most, alice.outbox.inFlight.size + 1);
      return send(type, data, id);
    };
    const sends = [];
    for (let i = 0; i < 40; i += 1) sends.push(alice.send({ conversation_id: conversationId, content: `m${i}` }));
    assert.equal(alice.outbox.pending, 40);
    const acks = await within('the acks', Promise.all(sends));
    assert.deepEqual(
      acks.map((a) => a.seq),
      acks.map((_, i) => i + 2),
    );
    assert.ok(most <= 4, `${most} sends were out at once`);
    assert.ok(most > 1, 'the window was used');
    const want = ['hello', ...acks.map((_, i) => `m${i}`)];
    await until('bob to get all 41', () => texts(bob, conversationId).length >= want.length);
    assert.deepEqual(texts(bob, conversationId), want);
  });

  test('heartbeats: pings are answered with pongs', async () => {
    const alice = await user(server, 'pinger', { pingMs: 100 });
    clients.push(alice);
    await alice.connect({ fromNow: true });
    await connected(alice);
    await until('three pongs', () => alice.seen.frames.filter((f) => f.type === 'pong').length >= 3, 5000);
  });

  test('a connection gone silent is dropped and dialed again', async () => {
    const alice = await user(server, 'silent', { pingMs: 100, silenceMs: 600 });
    clients.push(alice);
    await alice.connect({ fromNow: true });
    await connected(alice);
    const offline = () => alice.seen.statuses.filter((s) => s.state === 'offline').length;
    // The server stops answering without closing anything: only the
    // client's own silence check can tell.
    process.kill(server.proc.pid, 'SIGSTOP');
    try {
      await until('the socket to be dropped', () => offline() > 0, 5000);
      assert.equal(alice.socket.open, false);
    } finally {
      process.kill(server.proc.pid, 'SIGCONT');
    }
    await connected(alice);
  });

  test('the socket outlives its access token: each refresh is sent as an auth frame', async () => {
    const { alice, bob, conversationId } = await pair();
    const opened = () => alice.seen.statuses.filter((s) => s.state === 'open').length;
    const before = opened();
    // Two lifetimes of the 3 s access token the socket was opened with.
    await sleep(6500);
    assert.equal(opened(), before, 'the socket was not closed and reopened');
    assert.ok(alice.socket.open);
    await bob.send({ conversation_id: conversationId, content: 'still here' });
    await until('alice to get it', () => texts(alice, conversationId).includes('still here'));
  });

  test('after the server restarts, resync by seq hands over what was missed, once and in order', async () => {
    const { alice, bob, conversationId } = await pair();
    for (const t of ['before 1', 'before 2']) await alice.send({ conversation_id: conversationId, content: t });
    await until('bob to get the first three', () => texts(bob, conversationId).length === 3);

    // Bob's socket stays away while messages are sent: the server stops,
    // bob's client starts backing off, and alice (over HTTP) sends as soon
    // as the server is back, which is before bob's next dial.
    await server.kill();
    await until('bob to go offline', () => !bob.socket.open);
    bob.socket.stop();
    await server.start(server.addr);
    const missed = ['missed 1', 'missed 2', 'missed 3', 'missed 4', 'missed 5'];
    for (const [i, content] of missed.entries()) {
      await alice.session.post('/api/v1/messages/send', { conversation_id: conversationId, content, client_msg_id: `http-${i}` });
    }
    bob.socket.start();
    await connected(bob);
    // The reconnect's own sync brings them: nothing new comes live to hint at a gap.
    await until('bob to get the missed ones', () => texts(bob, conversationId).length === 8);
    // One more while connected: comes live, after the missed ones.
    await until('alice to reconnect', () => alice.socket.open);
    await alice.send({ conversation_id: conversationId, content: 'after' });
    const want = ['hello', 'before 1', 'before 2', ...missed, 'after'];
    await until('bob to have everything', () => texts(bob, conversationId).length >= want.length);
    await sleep(500);
    assert.deepEqual(texts(bob, conversationId), want);
    const seqs = bob.seen.messages.filter((m) => m.conversation_id === conversationId).map((m) => m.seq);
    assert.deepEqual(
      seqs,
      want.map((_, i) => i + 1),
    );
  });

  test('sends unanswered when the connection went, and those made offline, go out on the next one', async () => {
    const { alice, bob, conversationId } = await pair();
    await until('bob to get hello', () => texts(bob, conversationId).length === 1);
    // Frozen, the server reads nothing: these go on the wire and stay unanswered.
    process.kill(server.proc.pid, 'SIGSTOP');
    const sends = ['unanswered 1', 'unanswered 2'].map((content) =>
      alice.send({ conversation_id: conversationId, content }),
    );
    await until('both to be on the wire', () => alice.outbox.inFlight.size === 2);
    await server.kill(); // SIGKILL is delivered to a stopped process
    await until('alice to go offline', () => !alice.socket.open);
    for (const content of ['offline 1', 'offline 2']) sends.push(alice.send({ conversation_id: conversationId, content }));
    await server.start(server.addr);
    const acks = await within('the acks', Promise.all(sends));
    assert.deepEqual(
      acks.map((a) => a.seq),
      [2, 3, 4, 5],
    );
    const want = ['hello', 'unanswered 1', 'unanswered 2', 'offline 1', 'offline 2'];
    await until('bob to get them', () => texts(bob, conversationId).length === want.length);
    await sleep(300);
    assert.deepEqual(texts(bob, conversationId), want);
  });

  test('a message lost on the wire is fetched by sync before the next one is handed over', async () => {
    const { alice, bob, conversationId } = await pair();
    await until('bob to get hello', () => texts(bob, conversationId).length === 1);
    // The next new-message never reaches bob's client (as when a broker
    // loses frames meant for a connection).
    const onFrame = bob.socket.onFrame;
    let lost = 0;
    bob.socket.onFrame = (f) => {
      if (f.type === 'new-message' && lost === 0) {
        lost += 1;
        return;
      }
      onFrame(f);
    };
    await alice.send({ conversation_id: conversationId, content: 'lost' });
    await until('the frame to be lost', () => lost === 1);
    await alice.send({ conversation_id: conversationId, content: 'next' });
    await until('bob to get both', () => texts(bob, conversationId).length === 3);
    await sleep(300);
    assert.deepEqual(texts(bob, conversationId), ['hello', 'lost', 'next']);
  });

  test('live messages and a sync crossing each other are handed over once', async () => {
    const { alice, bob, conversationId } = await pair();
    await until('bob to get hello', () => texts(bob, conversationId).length === 1);
    const want = ['hello'];
    const sends = [];
    for (let i = 0; i < 60; i += 1) {
      want.push(`burst ${i}`);
      sends.push(alice.send({ conversation_id: conversationId, content: `burst ${i}` }));
    }
    // Syncs asked while the burst comes live: their replies repeat some of it.
    let syncs = 0;
    while (texts(bob, conversationId).length < want.length && syncs < 200) {
      await bob.inbox.sync();
      syncs += 1;
    }
    await within('the acks', Promise.all(sends));
    await until('bob to get the burst', () => texts(bob, conversationId).length >= want.length);
    await sleep(300);
    assert.deepEqual(texts(bob, conversationId), want);
  });
});
