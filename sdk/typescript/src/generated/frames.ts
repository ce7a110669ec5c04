// Generated from `GET /api/ws-frames.schema.json` of the ferrochat binary by
// sdk/typescript/tools/generate.mjs. Do not edit: run `npm run generate`
// (a test fails while this file differs from what the binary serves).

/**
 * Text frames on GET /ws, one JSON object each: {"type", "id"?, "data"}. Replies echo `id`. See docs/protocol.md, "WebSocket".
 */
export type FerrochatWebSocketFrames = ClientFrame | ServerFrame;
export type ClientFrame =
  | ClientSendMessageFrame
  | ClientEditMessageFrame
  | ClientRecallMessageFrame
  | ClientReactMessageFrame
  | ClientUnreactMessageFrame
  | ClientPinMessageFrame
  | ClientUnpinMessageFrame
  | ClientForwardMessagesFrame
  | ClientDeleteMessagesFrame
  | ClientReadFrame
  | ClientTypingFrame
  | ClientSyncFrame
  | ClientPingFrame
  | ClientAuthFrame;
export type ServerFrame =
  | ServerSendAckFrame
  | ServerNewMessageFrame
  | ServerReadReceiptFrame
  | ServerTypingFrame
  | ServerPresenceFrame
  | ServerFriendRequestFrame
  | ServerFriendAcceptedFrame
  | ServerGroupInvitedFrame
  | ServerSyncFrame
  | ServerPongFrame
  | ServerForwardedFrame
  | ServerDeletedFrame
  | ServerAuthFrame
  | ServerErrorFrame;

/**
 * As POST /api/v1/messages/send; answered `send-ack` or `error`.
 */
export interface ClientSendMessageFrame {
  data?: SendMessageBody;
  /**
   * Correlation id; replies echo it.
   */
  id?: string;
  type: "send-message" | "message";
}
export interface SendMessageBody {
  client_msg_id: string;
  content: string;
  conversation_id?: string | null;
  group_id?: string | null;
  /**
   * Mentions every member (a group's owner and admins only).
   */
  mention_all?: boolean | null;
  /**
   * Members this message names (ids, at most `MAX_MENTIONS`).
   */
  mentions?: string[] | null;
  message_type?: string | null;
  /**
   * The seq of a message of the same conversation this one answers.
   */
  reply_to?: number | null;
  to_user_id?: string | null;
}
/**
 * As POST /api/v1/messages/edit; answered `send-ack` or `error`.
 */
export interface ClientEditMessageFrame {
  data?: EditMessageBody;
  /**
   * Correlation id; replies echo it.
   */
  id?: string;
  type: "edit-message";
}
/**
 * `POST /api/v1/messages/edit`, frame `edit-message`: new content for a
 * message its sender wrote.
 */
export interface EditMessageBody {
  client_msg_id: string;
  content: string;
  conversation_id: string;
  seq: number;
}
/**
 * As POST /api/v1/messages/recall; answered `send-ack` or `error`.
 */
export interface ClientRecallMessageFrame {
  data?: RecallMessageBody;
  /**
   * Correlation id; replies echo it.
   */
  id?: string;
  type: "recall-message";
}
/**
 * `POST /api/v1/messages/recall`, frame `recall-message`: takes a message
 * back; its content is erased.
 */
export interface RecallMessageBody {
  client_msg_id: string;
  conversation_id: string;
  seq: number;
}
/**
 * As POST /api/v1/messages/react; answered `send-ack` or `error`.
 */
export interface ClientReactMessageFrame {
  data?: ReactBody;
  /**
   * Correlation id; replies echo it.
   */
  id?: string;
  type: "react-message";
}
/**
 * `POST /api/v1/messages/react`, frame `react-message`: puts the
 * caller's `emoji` on a message (again: kept once).
 */
export interface ReactBody {
  client_msg_id: string;
  conversation_id: string;
  emoji: string;
  seq: number;
}
/**
 * As POST /api/v1/messages/unreact; answered `send-ack` or `error`.
 */
export interface ClientUnreactMessageFrame {
  data?: UnreactBody;
  /**
   * Correlation id; replies echo it.
   */
  id?: string;
  type: "unreact-message";
}
/**
 * `POST /api/v1/messages/unreact`, frame `unreact-message`: takes the
 * caller's `emoji` off a message (not there: nothing changes).
 */
export interface UnreactBody {
  client_msg_id: string;
  conversation_id: string;
  emoji: string;
  seq: number;
}
/**
 * As POST /api/v1/messages/pin; answered `send-ack` or `error`.
 */
export interface ClientPinMessageFrame {
  data?: PinBody;
  /**
   * Correlation id; replies echo it.
   */
  id?: string;
  type: "pin-message";
}
/**
 * `POST /api/v1/messages/pin`, frame `pin-message`: pins a message to its
 * conversation (again: kept once).
 */
export interface PinBody {
  client_msg_id: string;
  conversation_id: string;
  seq: number;
}
/**
 * As POST /api/v1/messages/unpin; answered `send-ack` or `error`.
 */
export interface ClientUnpinMessageFrame {
  data?: UnpinBody;
  /**
   * Correlation id; replies echo it.
   */
  id?: string;
  type: "unpin-message";
}
/**
 * `POST /api/v1/messages/unpin`, frame `unpin-message`: takes a message
 * off its conversation's pins (not pinned: nothing changes).
 */
export interface UnpinBody {
  client_msg_id: string;
  conversation_id: string;
  seq: number;
}
/**
 * As POST /api/v1/messages/forward; answered `forwarded` once every copy is durable, or `error`.
 */
export interface ClientForwardMessagesFrame {
  data?: ForwardBody;
  /**
   * Correlation id; replies echo it.
   */
  id?: string;
  type: "forward-messages";
}
/**
 * `POST /api/v1/messages/forward`, frame `forward-messages`: copies
 * messages of one conversation the caller is in into another they may
 * write to, each marked as forwarded.
 */
export interface ForwardBody {
  /**
   * The copies' ids are this with `/1`, `/2`, ... appended, so a resend
   * of the same forward stores nothing twice.
   */
  client_msg_id: string;
  /**
   * Where the messages are.
   */
  conversation_id: string;
  seqs: number[];
  /**
   * Where the copies go: exactly one.
   */
  to_conversation_id?: string | null;
  to_group_id?: string | null;
  to_user_id?: string | null;
}
/**
 * As POST /api/v1/messages/delete; answered `deleted` or `error`.
 */
export interface ClientDeleteMessagesFrame {
  data?: DeleteMessagesBody;
  /**
   * Correlation id; replies echo it.
   */
  id?: string;
  type: "delete-messages";
}
/**
 * `POST /api/v1/messages/delete`, frame `delete-messages`: hides messages
 * from the caller's own history and sync ("delete for me"); the other
 * members keep them.
 */
export interface DeleteMessagesBody {
  conversation_id: string;
  seqs: number[];
}
/**
 * Moves the read cursor; no reply, other members get `read-receipt`.
 */
export interface ClientReadFrame {
  data?: ReadBody;
  /**
   * Correlation id; replies echo it.
   */
  id?: string;
  type: "read";
}
export interface ReadBody {
  conversation_id: string;
  seq: number;
}
/**
 * No reply; other online members get `typing`.
 */
export interface ClientTypingFrame {
  data?: TypingBody;
  /**
   * Correlation id; replies echo it.
   */
  id?: string;
  type: "typing";
}
export interface TypingBody {
  conversation_id: string;
}
/**
 * Messages after each cursor; answered `sync`.
 */
export interface ClientSyncFrame {
  data?: SyncBody;
  /**
   * Correlation id; replies echo it.
   */
  id?: string;
  type: "sync";
}
export interface SyncBody {
  cursors?: {
    [k: string]: number | undefined;
  } | null;
  limit?: number | null;
}
/**
 * Answered `pong`.
 */
export interface ClientPingFrame {
  data?: {};
  /**
   * Correlation id; replies echo it.
   */
  id?: string;
  type: "ping";
}
/**
 * A fresh access token of this connection's session; answered `auth` or `error` 1002.
 */
export interface ClientAuthFrame {
  data?: {
    /**
     * A fresh access token of this connection's session.
     */
    token: string;
  };
  /**
   * Correlation id; replies echo it.
   */
  id?: string;
  type: "auth";
}
/**
 * The ack of a send, edit, recall, reaction or pin, to the sending connection.
 */
export interface ServerSendAckFrame {
  data?: AckDto;
  /**
   * Correlation id; replies echo it.
   */
  id?: string;
  type: "send-ack";
}
export interface AckDto {
  client_msg_id: string;
  conversation_id: string;
  created_at: string;
  message_id: string;
  seq: number;
}
/**
 * A message, to every other connection of every member.
 */
export interface ServerNewMessageFrame {
  data?: MessageDto;
  /**
   * Correlation id; replies echo it.
   */
  id?: string;
  type: "new-message";
}
export interface MessageDto {
  client_msg_id: string;
  content: string;
  conversation_id: string;
  conversation_type: "single" | "group" | "world";
  created_at: string;
  edited_at?: string | null;
  /**
   * A copy forwarded from another conversation.
   */
  forwarded?: boolean;
  from_user_id: string;
  /**
   * It names every member.
   */
  mention_all?: boolean;
  /**
   * The members it names.
   */
  mentions?: string[];
  message_id: string;
  message_type: string;
  /**
   * For a `react` or `unreact` event: how many have its emoji on the
   * target once it is applied.
   */
  reaction_count?: number | null;
  /**
   * In history and sync: the reactions on it, as the reader sees them.
   */
  reactions?: ReactionDto[];
  /**
   * A recalled message keeps its place with its content erased.
   */
  recalled_at?: string | null;
  /**
   * The seq this message answers.
   */
  reply_to?: number | null;
  seq: number;
  /**
   * For an edit, a recall or a reaction event, the seq it changes.
   */
  target_seq?: number | null;
}
export interface ReactionDto {
  count: number;
  emoji: string;
  mine: boolean;
}
/**
 * A member's read cursor moved.
 */
export interface ServerReadReceiptFrame {
  data?: ReadReceiptDto;
  /**
   * Correlation id; replies echo it.
   */
  id?: string;
  type: "read-receipt";
}
/**
 * `data` of a `read-receipt` frame.
 */
export interface ReadReceiptDto {
  conversation_id: string;
  seq: number;
  user_id: string;
}
/**
 * A member is typing.
 */
export interface ServerTypingFrame {
  data?: TypingDto;
  /**
   * Correlation id; replies echo it.
   */
  id?: string;
  type: "typing";
}
/**
 * `data` of a `typing` frame.
 */
export interface TypingDto {
  conversation_id: string;
  user_id: string;
}
/**
 * A friend's first connection opened or last one closed.
 */
export interface ServerPresenceFrame {
  data?: PresenceDto;
  /**
   * Correlation id; replies echo it.
   */
  id?: string;
  type: "presence";
}
/**
 * `data` of a `presence` frame.
 */
export interface PresenceDto {
  online: boolean;
  user_id: string;
}
/**
 * A friend request to the recipient.
 */
export interface ServerFriendRequestFrame {
  data?: FriendRequestDto;
  /**
   * Correlation id; replies echo it.
   */
  id?: string;
  type: "friend-request";
}
export interface FriendRequestDto {
  created_at: string;
  from_user_id: string;
  message: string;
  request_id: string;
  status: "pending" | "accepted" | "rejected";
  to_user_id: string;
}
/**
 * A friend request accepted, to the one who asked.
 */
export interface ServerFriendAcceptedFrame {
  data?: FriendRequestDto;
  /**
   * Correlation id; replies echo it.
   */
  id?: string;
  type: "friend-accepted";
}
/**
 * Someone added you to a group.
 */
export interface ServerGroupInvitedFrame {
  data?: GroupInvitedDto;
  /**
   * Correlation id; replies echo it.
   */
  id?: string;
  type: "group-invited";
}
/**
 * `data` of a `group-invited` frame.
 */
export interface GroupInvitedDto {
  by_user_id: string;
  conversation_id: string;
  group_id: string;
  name: string;
}
/**
 * The answer to `sync`.
 */
export interface ServerSyncFrame {
  data?: SyncDto;
  /**
   * Correlation id; replies echo it.
   */
  id?: string;
  type: "sync";
}
export interface SyncDto {
  conversations: SyncEntryDto[];
}
export interface SyncEntryDto {
  conversation_id: string;
  has_more: boolean;
  messages: MessageDto[];
}
/**
 * The answer to `ping`.
 */
export interface ServerPongFrame {
  data?: {};
  /**
   * Correlation id; replies echo it.
   */
  id?: string;
  type: "pong";
}
/**
 * The answer to `forward-messages`: the copies' acks.
 */
export interface ServerForwardedFrame {
  data?: ForwardedDto;
  /**
   * Correlation id; replies echo it.
   */
  id?: string;
  type: "forwarded";
}
/**
 * What a forward answers: the copies' acks, in the order of `seqs`.
 */
export interface ForwardedDto {
  acks: AckDto[];
}
/**
 * The answer to `delete-messages`.
 */
export interface ServerDeletedFrame {
  data?: DeletedDto;
  /**
   * Correlation id; replies echo it.
   */
  id?: string;
  type: "deleted";
}
/**
 * What `delete-messages` answers: the seqs now hidden from the caller.
 */
export interface DeletedDto {
  conversation_id: string;
  seqs: number[];
}
/**
 * The answer to `auth`: `expires_in`, seconds the new token lives.
 */
export interface ServerAuthFrame {
  data?: {
    /**
     * Seconds the new token lives.
     */
    expires_in: number;
  };
  /**
   * Correlation id; replies echo it.
   */
  id?: string;
  type: "auth";
}
/**
 * A refusal; the connection stays open.
 */
export interface ServerErrorFrame {
  data?: ErrorBody;
  /**
   * Correlation id; replies echo it.
   */
  id?: string;
  type: "error";
}
/**
 * An error envelope (also the `data` of a WebSocket `error` frame).
 * `retry_after_ms`: how long to wait before trying again, on a refusal
 * that knows it (absent otherwise).
 */
export interface ErrorBody {
  code: number;
  message: string;
  retry_after_ms?: number | null;
}
