// The contract's types, named for use: aliases into the generated files
// (src/generated/, from the documents the server serves), and the helpers
// that type a call from its path and method in the OpenAPI document.

import type { components, paths } from './generated/openapi.js';
import type * as Frames from './generated/frames.js';

export type { components, paths };
export type { Frames };

type Schemas = components['schemas'];

/** A user as login answers it (and `GET /api/v1/users/{id}`). */
export type User = Schemas['ProfileDto'];
/** What `POST /api/v1/users/register` answers: the new account. */
export type Registered = Schemas['UserDto'];
export type Login = Schemas['LoginDto'];
export type TokenPair = Schemas['TokensDto'];
export type Conversation = Schemas['ConversationDto'];

export type Message = Frames.MessageDto;
export type Ack = Frames.AckDto;
/** A `send-message` frame's data (as `POST /api/v1/messages/send` takes). */
export type SendMessage = Frames.SendMessageBody;
/** A send as the Outbox takes it: without a `client_msg_id`, one is made up. */
export type Outgoing = Omit<SendMessage, 'client_msg_id'> & { client_msg_id?: string };
export type SyncData = Frames.SyncDto;
/** Any frame a client may send. */
export type ClientFrame = Frames.ClientFrame;
/** Any frame the server sends. */
export type ServerFrame = Frames.ServerFrame;

// ---- typed calls from the OpenAPI document ---------------------------------

export type LowerMethod = 'get' | 'post' | 'put' | 'delete';

type Operation<P extends keyof paths, M extends LowerMethod> = M extends keyof paths[P] ? NonNullable<paths[P][M]> : never;

/** The document's paths that take method `M`. */
export type PathsFor<M extends LowerMethod> = {
  // A method the path lacks is `?: never` there: never, which extends anything.
  [P in keyof paths]: [Operation<P, M>] extends [never] ? never : Operation<P, M> extends { responses: unknown } ? P : never;
}[keyof paths];

type Json<R> = R extends { content: { 'application/json': infer J } } ? J : never;
type Success<R> = R extends { 200: infer S } ? S : R extends { 201: infer S } ? S : never;

/** The JSON body an operation takes. */
export type Body<P extends keyof paths, M extends LowerMethod> =
  Operation<P, M> extends { requestBody?: infer B } ? Json<NonNullable<B>> : never;

/** The `data` of an operation's success envelope. */
export type Data<P extends keyof paths, M extends LowerMethod> =
  Operation<P, M> extends { responses: infer R } ? (Json<Success<R>> extends { data?: infer D } ? D : never) : never;

type Parameters<P extends keyof paths, M extends LowerMethod> = Operation<P, M> extends { parameters: infer X } ? X : never;
type Part<X, K extends string> = X extends { [k in K]?: infer V } ? ([V] extends [never] ? never : V) : never;

/** A typed call's path parameters, query and body. */
export type Request<P extends keyof paths, M extends LowerMethod> = {
  params?: Part<Parameters<P, M>, 'path'>;
  query?: Part<Parameters<P, M>, 'query'>;
  body?: Body<P, M>;
};
