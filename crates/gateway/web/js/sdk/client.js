// The whole client in one object: the HTTP calls (`http`), the session
// and its tokens (`session`), the socket (`socket`), messages handed to
// the app exactly once in seq order (`inbox`), and sends with a window
// (`outbox`). Each part can also be used alone.
import { Http } from './http.js';
import { Inbox } from './inbox.js';
import { Outbox } from './outbox.js';
import { Session } from './session.js';
import { Socket, socketUrl } from './socket.js';
export class Client {
    http;
    session;
    socket;
    inbox;
    outbox;
    constructor(o) {
        this.http = new Http({ baseUrl: o.baseUrl, fetch: o.fetch });
        const onEnded = o.onEnded ?? (() => { });
        this.session = new Session({
            http: this.http,
            store: o.store,
            deviceId: o.deviceId,
            onEnded: (reason) => {
                this.socket.stop();
                onEnded(reason);
            },
        });
        const onFrame = o.onFrame ?? (() => { });
        this.socket = new Socket({
            session: this.session,
            url: socketUrl(this.http.baseUrl),
            WebSocket: o.WebSocket,
            backoff: o.backoff,
            pingMs: o.pingMs,
            silenceMs: o.silenceMs,
            onStatus: o.onStatus,
            onOpen: () => {
                this.inbox.onOpen();
                this.outbox.onOpen();
            },
            onFrame: (frame) => {
                if (this.outbox.onFrame(frame) || this.inbox.onFrame(frame))
                    return;
                onFrame(frame);
            },
        });
        this.inbox = new Inbox({
            socket: this.socket,
            onMessage: o.onMessage ?? (() => { }),
            onError: o.onSyncError,
            limit: o.syncLimit,
        });
        this.outbox = new Outbox({
            socket: this.socket,
            window: o.sendWindow,
            onAck: (ack) => this.inbox.ackedOwn(ack),
        });
    }
    register(username, password, nickname) {
        return this.session.register(username, password, nickname);
    }
    login(username, password) {
        return this.session.login(username, password);
    }
    /**
     * Opens the socket (and keeps it open). With `fromNow`, every
     * conversation you are in starts after its current last message, as the
     * conversation list says; otherwise conversations without a cursor
     * (see `inbox.startAfter`) are caught up from their first message.
     */
    async connect({ fromNow = false } = {}) {
        if (fromNow) {
            const { conversations } = await this.session.request('get', '/api/v1/conversations');
            for (const c of conversations)
                this.inbox.startAfter(c.conversation_id, c.last_seq);
        }
        this.socket.start();
    }
    /** Sends a message over the socket; resolves with its ack once it is durable. */
    send(body) {
        return this.outbox.send(body);
    }
    /** Logs out (the server closes the socket; the session ends with `logout`). */
    logout() {
        return this.session.logout();
    }
    /** Stops the socket and the refresh timer; sends still waiting are rejected. The session stays stored. */
    close() {
        this.socket.close();
        this.session.pause();
        this.outbox.drop();
    }
}
