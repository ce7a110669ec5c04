// Generated from `GET /api/openapi.json` of the ferrochat binary by
// sdk/typescript/tools/generate.mjs. Do not edit: run `npm run generate`
// (a test fails while this file differs from what the binary serves).

export interface paths {
    "/api/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The OpenAPI 3.1 document of the HTTP API
         * @description Built from the code once per process. Not rate limited.
         */
        get: operations["operations_openapi_json"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The audit log
         * @description Administrators only. What administrators and the operator did, newest first: `actor` (a user id, or `operator`), `action` (`admin.grant`, `admin.revoke`, `user.disable`, `user.enable`, `user.password_reset`, `group.dissolve`, `message.remove`, `world.mute`, `world.unmute`, `world.ban`, `world.unban`, `user.mute`, `user.unmute`, `report.resolve`), `target`, `detail`. Nothing removes a line.
         */
        get: operations["moderation_audit"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/groups/{id}/dissolve": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Dissolve any group
         * @description Administrators only, member or not. As the owner's dissolve: a system message `group_dissolved` (with `by_admin`), then the group takes no message.
         */
        post: operations["moderation_dissolve_group"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/messages/remove": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Remove any message
         * @description Administrators only, in any conversation, member or not. `conversation_id` and `seq`: the message is recalled as its sender's recall would (its content and edits erased, its members told by a `recall` message of their own seq); answers that recall's ack. A seq the conversation lacks, or a message already recalled: 1003; a system message or an event: 1005.
         */
        post: operations["moderation_remove_message"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/reports": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Users' reports
         * @description Administrators only. Newest first; `status=open` (the default) or `all`.
         */
        get: operations["moderation_reports"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/reports/{id}/resolve": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Resolve a report
         * @description Administrators only. Closes the report with an optional `note` (at most 1000 characters); a report resolved already keeps its first resolution.
         */
        post: operations["moderation_resolve_report"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Every account
         * @description Administrators only. Accounts but deleted ones, discoverable or not, whose username starts with `q` if given, in username order, with `email`, `admin` and `disabled`.
         */
        get: operations["moderation_users"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/users/{id}/disable": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Disable an account
         * @description Administrators only. For `minutes` (1-525600; absent: until enabled) the account cannot log in (1005 "this account is disabled", to whoever gives its password), and every session of its ends at once: tokens refused, sockets closed 4001. Not your own (1005). Disabling again sets a new end.
         */
        post: operations["moderation_disable"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/users/{id}/enable": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Enable an account
         * @description Administrators only. The account can log in again (its ended sessions stay ended).
         */
        post: operations["moderation_enable"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/users/{id}/mute": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Mute a user everywhere
         * @description Administrators only. For `minutes` (1-525600): every send of the user, in every conversation, is refused with 1005 "you are muted by an administrator"; they still read, and their account works otherwise. Muting again sets a new end.
         */
        put: operations["moderation_mute_everywhere"];
        post?: never;
        /**
         * Lift a user's mute
         * @description Administrators only. Ends a mute set through `PUT /api/v1/admin/users/{id}/mute` at once (`active` false); lifting one not in force changes nothing.
         */
        delete: operations["moderation_unmute_everywhere"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/users/{id}/password-reset": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * A password reset token
         * @description Administrators only. A one-time token with which the user sets a new password (`POST /api/v1/auth/password/reset`), valid `valid_for_minutes` (1-10080, default 60); it stops working once any new password is set.
         */
        post: operations["moderation_password_reset"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/world/bans/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Ban a user from the world room
         * @description Administrators only (the world room's owners). For `minutes` (1-525600): the user can neither read nor write the world room (1005 "you are banned from the world room"), it leaves their conversation list, sync and search, and its live messages no longer reach them. Banning again sets a new end.
         */
        put: operations["moderation_ban_from_world"];
        post?: never;
        /**
         * Lift a user's world-room ban
         * @description Administrators only. Ends a ban at once (`active` false); lifting a ban that is not in force changes nothing.
         */
        delete: operations["moderation_unban_from_world"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/world/mutes/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Mute a user in the world room
         * @description Administrators only (the world room's owners). For `minutes` (1-525600): their sends to the world room are refused with 1005 until `muted_until`; elsewhere they write as before. Muting again sets a new end.
         */
        put: operations["moderation_mute_in_world"];
        post?: never;
        /**
         * Unmute a user in the world room
         * @description Administrators only. Ends a mute at once (`muted_until` null); unmuting a user who is not muted changes nothing.
         */
        delete: operations["moderation_unmute_in_world"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/attachments": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Upload a file
         * @description A `multipart/form-data` body with one part, `file`, whose file name is kept (a name, not a path: `/`, `\\`, control characters or only dots are 1001). The type is sniffed from the bytes, not taken from the client. At most `storage.max_file_bytes` (100 MiB) and within your quota (`storage.quota_bytes`), else 1008; an empty file, a body cut off before its end, an image over `storage.max_image_pixels` or that does not decode is 1001; nothing of a refused upload is kept. Images get `width`, `height` and a thumbnail. Send it in a message (type `image`, `file`, `voice` or `video`, the id as `content`) within `storage.orphan_after` (24 h), or it is deleted.
         */
        post: operations["attachments_upload"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/attachments/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Download a file
         * @description The file's bytes, with its sniffed `Content-Type` and `Content-Disposition: attachment` with its name. Yours before it is sent; after, the members' of the conversation it was sent in (1005 for anyone else). `Range: bytes=a-b` (one range) answers 206 with `Content-Range`; a range past the end is 416 (code 1001).
         */
        get: operations["attachments_download"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/attachments/{id}/info": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A file's metadata
         * @description Its name, size, type, image size, whether it has a thumbnail, and the conversation it was sent in; for whoever may download it.
         */
        get: operations["attachments_info"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/attachments/{id}/thumbnail": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * An image's thumbnail
         * @description A PNG of at most `storage.thumbnail_pixels` (320) on its longer side, for whoever may download the file; 1003 if it has none (not an image, or too large to decode).
         */
        get: operations["attachments_thumbnail"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Log in
         * @description A wrong password, an unknown user and a malformed username or password all get the same 1002. Past `gateway.login_throttle`'s free failures an account is locked for a growing time (1007 with `Retry-After`). Limited per address.
         */
        post: operations["accounts_login"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * End this session
         * @description This session's access and refresh tokens stop working at once; other sessions are untouched. 1009: revoked, but not every node may know yet: retry.
         */
        post: operations["accounts_logout"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/logout/others": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * End every other session
         * @description Every session of yours but the asking one ends. 1009: retry.
         */
        post: operations["sessions_logout_others"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/oidc": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The OpenID provider users may log in with
         * @description Its name, for a "Log in with …" button; 1003 when the server has no `[auth.oidc]`.
         */
        get: operations["accounts_provider"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/oidc/callback": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Where the OpenID provider sends the browser back
         * @description The provider's `redirect_uri` (set `auth.oidc.redirect_url` to it). Answers 303 to the web client (`/`, or the prefix `auth.oidc.redirect_url` is under), with the outcome in the fragment: `#access_token=…&refresh_token=…&token_type=Bearer&expires_in=…` (a session as a password login opens, of the account linked to the provider's subject, made on first sight), or `#oidc_error=<code>&oidc_message=<words>`: 1002 when the provider refused or its ID token does not hold, or the login was not started in this browser or took over 10 minutes; 1005 for a disabled account; 1009 while the provider cannot be reached. The cookie `start` set is cleared either way. Limited per address (`gateway.auth_rate_limit`).
         */
        get: operations["accounts_callback"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/oidc/start": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Start logging in at the OpenID provider
         * @description For a browser to navigate to (not to fetch): answers 302 to the provider's authorization endpoint (authorization code flow, PKCE S256) and sets an HttpOnly cookie, good for 10 minutes, that only the callback gets back. `device_id`? names the session as at a password login. 1003 when the server has no `[auth.oidc]`, 1009 while the provider cannot be reached. Limited per address (`gateway.auth_rate_limit`).
         */
        get: operations["accounts_start"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/password": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Change your password
         * @description A wrong `current_password` is 1005 and counts against the account as a wrong login does (1007 past `gateway.login_throttle`'s free failures). Every other session ends.
         */
        post: operations["sessions_change_password"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/password/reset": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Set a new password with an operator's reset token
         * @description `token` (from `ferrochat admin reset-password`), `new_password` (the rules of register's `password`). No access token: the user cannot log in. Every session ends. A token that is not one, was used, or expired is 1002 (a token works once, and not at all after the password was changed another way). Limited per address (`gateway.auth_rate_limit`).
         */
        post: operations["accounts_reset_password"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/refresh": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Exchange a refresh token for a new pair
         * @description The presented token stops working. Presenting a token that was already rotated revokes the whole session.
         */
        post: operations["accounts_refresh"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/sessions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Your live sessions
         * @description Logged in, not logged out, not expired; most recently seen first, at most 100; `current` marks the asking one.
         */
        get: operations["sessions_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/sessions/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * End one of your sessions
         * @description As logout for that session: its tokens stop working and its sockets close with 4001. An id naming no session of yours (malformed included) is 1003; one already ended is `{}` again. 1009 as for logout.
         */
        delete: operations["sessions_end"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/blocks/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Block a user
         * @description Idempotent; yourself 1001; nobody 1003. Their single-chat messages and friend requests to you are refused.
         */
        post: operations["friends_block"];
        /**
         * Unblock a user
         * @description Idempotent; yourself 1001; nobody 1003.
         */
        delete: operations["friends_unblock"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/conversations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Your conversations
         * @description Most recent activity first, `world` included.
         */
        get: operations["conversations_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/conversations/create": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Open a single conversation
         * @description The single conversation with `peer_user_id` (same pair, same conversation; yourself: 1001; nobody: 1003; a user who blocked you: 1005).
         */
        post: operations["conversations_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/conversations/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Move your read cursor, mute, pin
         * @description `read_seq`? (only forward, capped at `last_seq`; a move sends `read-receipt`), `muted`?, `pinned`?.
         */
        put: operations["conversations_update"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/conversations/{id}/pins": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Pinned messages
         * @description The pinned messages as they are now, in ascending seq (at most 50).
         */
        get: operations["conversations_pins"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/devices": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Your registered devices
         * @description Of every live session of yours, oldest first; `current` marks the asking session's.
         */
        get: operations["devices_list"];
        put?: never;
        /**
         * Register this session's push token
         * @description One device per session: registering again replaces it. A token (per platform) belongs to the last session to register it. The device goes when its session ends (logout, revocation, expiry) and when its provider calls the token dead.
         */
        post: operations["devices_register"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/devices/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Remove one of your devices
         * @description Any of your sessions' devices; it gets no more pushes. An id naming no device of yours (malformed included) is 1003.
         */
        delete: operations["devices_remove"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/friends": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Your friends
         * @description Each with `online`.
         */
        get: operations["friends_friends"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/friends/requests": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Pending friend requests
         * @description `incoming` and `outgoing`, pending only.
         */
        get: operations["friends_requests"];
        put?: never;
        /**
         * Ask someone to be your friend
         * @description `to_user_id`, `message`? (256). Yourself 1001, unknown user 1003, already friends or pending 1006, blocked by them 1005. If they already asked you, this accepts their request.
         */
        post: operations["friends_request"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/friends/requests/{id}/accept": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Accept a friend request
         * @description Only its recipient (others 1003); not pending 1006.
         */
        post: operations["friends_accept"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/friends/requests/{id}/reject": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Reject a friend request
         * @description Only its recipient (others 1003); not pending 1006.
         */
        post: operations["friends_reject"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/friends/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * End a friendship
         * @description Not a friend: 1003.
         */
        delete: operations["friends_unfriend"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/groups/create": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Create a group
         * @description `name` (1-64), `description`? (512), `member_ids`?, `join_policy`? (`open`/`invite`), `max_members`? (2 to `groups.max_members`). An unknown member: 1003; one who blocked you: 1005.
         */
        post: operations["groups_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/groups/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A group
         * @description Members; anyone for an open group (an invite-only one is 1005 to others). A dissolved group is 1003.
         */
        get: operations["groups_show"];
        /**
         * Change a group
         * @description Owner and admins (others 1005): at least one of `name`, `description`, `join_policy`, `avatar`, `announcement`; absent fields are kept.
         */
        put: operations["groups_update_group"];
        post?: never;
        /**
         * Dissolve a group
         * @description The owner only (1005 otherwise). Its conversation stays readable by its members.
         */
        delete: operations["groups_dissolve"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/groups/{id}/join": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Join a group
         * @description Invite-only: 1005; already a member or full: 1006.
         */
        post: operations["groups_join"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/groups/{id}/leave": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Leave a group
         * @description Members; the owner 1005 (transfer first).
         */
        post: operations["groups_leave"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/groups/{id}/members": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A page of a group's members
         * @description In user id order, after `after`; `has_more` says ask again with the last one. Members only (1005).
         */
        get: operations["groups_members"];
        put?: never;
        /**
         * Add members
         * @description Owner and admins (others 1005); members already in are skipped; all or none: 1006 if they do not fit; a user who blocked you: 1005.
         */
        post: operations["groups_add_members"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/groups/{id}/members/{user_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Change a member's role or mute
         * @description `role`? (`admin`/`member`: the owner), `muted_until`? (RFC 3339; null unmutes: the owner, or admins on plain members).
         */
        put: operations["groups_update_member"];
        post?: never;
        /**
         * Remove a member
         * @description The owner (anyone but self), admins (plain members only); 1005 otherwise.
         */
        delete: operations["groups_kick"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/groups/{id}/transfer": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Transfer ownership
         * @description The owner only, to a member (`user_id`); the old owner becomes admin.
         */
        post: operations["groups_transfer"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/messages/delete": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Hide messages from your history
         * @description Delete for me: `seqs` (1-100) leave your history and sync; others keep them. 1003: a seq after the last; 1005: not a member.
         */
        post: operations["messages_delete_messages"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/messages/edit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Edit a message
         * @description Only its sender, within `messaging.edit_window` (1005 otherwise); a seq the conversation lacks or a recalled message: 1003. The edit is a message of its own. `client_msg_id` (1-64 printable ASCII) makes a retry safe: the same one gets the original ack and stores nothing new. Answered once durable; 1009: resend with the same `client_msg_id`.
         */
        post: operations["messages_edit"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/messages/forward": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Forward messages
         * @description `seqs` (1-20) of `conversation_id` copied, in that order, to one of `to_conversation_id`, `to_user_id`, `to_group_id`, each a send with `forwarded: true`. Not atomic: a refusal part-way keeps the copies before it; the same forward again stores none twice.
         */
        post: operations["messages_forward_messages"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/messages/history": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A page of a conversation's messages
         * @description Ascending seq; with `after_seq` the page starts after it, else it ends before `before_seq` (or at the newest). At most `limit` messages and 512 KiB.
         */
        get: operations["messages_history"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/messages/pin": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Pin a message
         * @description A group's owner and admins, either user of a single conversation (1005 otherwise, and in the world room); at most 50 pins (1006); a recalled message 1003. `client_msg_id` (1-64 printable ASCII) makes a retry safe: the same one gets the original ack and stores nothing new. Answered once durable; 1009: resend with the same `client_msg_id`.
         */
        post: operations["messages_pin"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/messages/react": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Put an emoji on a message
         * @description One emoji (a grapheme cluster of at most 32 bytes); at most 20 different emoji per message (1006). `client_msg_id` (1-64 printable ASCII) makes a retry safe: the same one gets the original ack and stores nothing new. Answered once durable; 1009: resend with the same `client_msg_id`.
         */
        post: operations["messages_react"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/messages/recall": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Recall a message
         * @description Its sender within `messaging.recall_window`, a group's owner and admins any time, administrators any time in the world room (1005 otherwise); 1003 for a seq it lacks or a message already recalled. `client_msg_id` (1-64 printable ASCII) makes a retry safe: the same one gets the original ack and stores nothing new. Answered once durable; 1009: resend with the same `client_msg_id`.
         */
        post: operations["messages_recall"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/messages/search": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Search your messages
         * @description Messages holding every word of `q` as whole words, case-insensitively, newest first, with `highlights` in UTF-16 code units.
         */
        get: operations["messages_search"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/messages/send": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Send a message
         * @description To one of `conversation_id`, `to_user_id` (opens the single conversation), `group_id`. `content`: 1 byte to `messaging.max_content_bytes` (1008 past it). 1005: not a member, muted, blocked, or not a friend under `dm_policy = friends`; 1003: `reply_to` names no message. `client_msg_id` (1-64 printable ASCII) makes a retry safe: the same one gets the original ack and stores nothing new. Answered once durable; 1009: resend with the same `client_msg_id`.
         */
        post: operations["messages_send_new"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/messages/unpin": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Unpin a message
         * @description As pin; unpinning what is not pinned changes nothing. `client_msg_id` (1-64 printable ASCII) makes a retry safe: the same one gets the original ack and stores nothing new. Answered once durable; 1009: resend with the same `client_msg_id`.
         */
        post: operations["messages_unpin"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/messages/unreact": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Take an emoji off a message
         * @description Taking off one that is not there changes nothing; still an event. `client_msg_id` (1-64 printable ASCII) makes a retry safe: the same one gets the original ack and stores nothing new. Answered once durable; 1009: resend with the same `client_msg_id`.
         */
        post: operations["messages_unreact"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/messages/unread": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Unread counts
         * @description `total` and the conversations with unread messages.
         */
        get: operations["messages_unread"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/reports": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Report a user or a message
         * @description `user_id`, or a message by `conversation_id` and `seq` (of a conversation you are in), and a `reason` (1-1000 characters). Administrators read it under /api/v1/admin/reports. Yourself or your own message is 1001; an unknown user, or a conversation or message you cannot see, is 1003; more than 20 an hour is 1007.
         */
        post: operations["moderation_report"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/uploads": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Open a resumable upload
         * @description For a large file, sent in chunks that survive a broken connection. `name` (as a file upload's, 1001 if not a plain name) and `size` (the whole file, at least 1 byte; over `storage.max_file_bytes` or your quota left is 1008: the size counts against your quota from now until the upload ends). Answers the upload at offset 0, with the chunk sizes this server takes. Send the chunks within `storage.orphan_after` (24 h), or the upload is deleted with them.
         */
        post: operations["attachments_open"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/uploads/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Where a resumable upload is
         * @description Its state; `offset` (also the `Upload-Offset` header, which `HEAD` answers alone) is where the next chunk starts: ask after a broken connection. Someone else's upload, or one finished or abandoned, is 1003 (a finished one's attachment has the same id).
         */
        get: operations["attachments_status"];
        put?: never;
        post?: never;
        /**
         * Abandon a resumable upload
         * @description Deletes its chunks and frees its size from your quota. Someone else's upload, or one finished or abandoned, is 1003.
         */
        delete: operations["attachments_abort"];
        options?: never;
        head?: never;
        /**
         * Send a chunk of a resumable upload
         * @description The body is the chunk's bytes (`Content-Type: application/offset+octet-stream` or any), `Upload-Offset` the byte of the file it starts at and `Content-Length` its length (both required, 1001). An offset that is not the upload's is 1001 naming the offset to send from. A chunk is at most `chunk_bytes` and at least `min_chunk_bytes` (but the last), and never past the declared size: else 1008 (too large) or 1001 (too small, empty). A chunk cut off before its end is 1001 and not kept: ask where the upload is and send again. The answer is the upload at its new offset; the chunk that completes the file also makes its attachment (its type sniffed from the bytes, images with dimensions and a thumbnail, 1001 for an image that does not decode, which ends the upload) and answers it as `attachment`. Someone else's upload is 1003.
         */
        patch: operations["chunk"];
        trace?: never;
    };
    "/api/v1/users/delete": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Delete your account
         * @description A wrong password is 1005 (throttled as for `/api/v1/auth/password`); 1006 while you own a group that is not dissolved. Every session ends.
         */
        post: operations["sessions_delete_account"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/users/export": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Export your data
         * @description One JSON document in the envelope, as a download: `data` is `{format: "ferrochat-export/1", exported_at, profile, sessions, friends, friend_requests, conversations: [{conversation, messages}], attachments}`, each conversation's whole history as you can read it (the world room listed with no messages), `attachments` the files you uploaded, sent or not (metadata and `download` and `thumbnail` paths, not the bytes). Streamed: a failure midway cuts the response off (the JSON does not parse). One export per user at a time (1007).
         */
        get: operations["accounts_export"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/users/profile": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Your profile
         * @description Your profile, with `discoverable` and `email`.
         */
        get: operations["accounts_profile"];
        /**
         * Change your profile
         * @description `nickname`?, `avatar`? (at most 512), `discoverable`?, `status_text`? (at most 140), `email`? (empty removes it; 1006 if another account has it); absent fields keep their value.
         */
        put: operations["accounts_update_profile"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/users/register": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Register an account
         * @description `username`: 3-32 of `A-Za-z0-9_.-`, unique without regard to case; `password`: 8-128 characters, not only whitespace, no control characters; `nickname`?: 1-64 characters after trimming (defaults to the username). Limited per address (`gateway.auth_rate_limit`).
         */
        post: operations["accounts_register"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/users/search": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Find people
         * @description Users whose username or nickname starts with `q`, case-insensitively, in username order; never you, a user who is not discoverable, nor anyone you blocked or who blocked you.
         */
        get: operations["accounts_search"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/users/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A user's public profile
         * @description 1003 if the id names nobody; `deleted` for an account deleted since.
         */
        get: operations["accounts_public_profile"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/ws-frames.schema.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The JSON Schema (2020-12) of the WebSocket frames
         * @description Every frame a client may send (`ClientFrame`) and every frame the server sends (`ServerFrame`) on `GET /ws`, each `{"type","id"?,"data"}`. Not rate limited.
         */
        get: operations["operations_ws_frames_schema"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The process serves
         * @description 200 while the process serves. Not limited; answered past the connection cap.
         */
        get: operations["operations_health"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/live": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The process serves (as /health)
         * @description 200 while the process serves. Not limited; answered past the connection cap.
         */
        get: operations["operations_live"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Prometheus metrics
         * @description Prometheus text format. Not limited; answered past the connection cap.
         */
        get: operations["operations_metrics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/ready": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Every required dependency answers
         * @description `checks` names every dependency the process uses, each asked at once with at most 2 s; `reason` is the first failing check's. Not limited; answered past the connection cap.
         */
        get: operations["operations_ready"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/ws": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Open the WebSocket
         * @description The token (`?token=` or the bearer header) is checked before any upgrade. Text frames, one JSON object each, `{"type", "id"?, "data"}`: their JSON Schema is at `/api/ws-frames.schema.json`. At most `gateway.ws.max_per_user` sockets per user (1007 past that, the open ones kept).
         */
        get: operations["realtime_upgrade"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        AckDto: {
            client_msg_id: string;
            conversation_id: string;
            created_at: string;
            message_id: string;
            /** Format: int64 */
            seq: number;
        };
        /**
         * @description An account as administrators see it: each restriction in force now
         *     (`disabled`, `muted`, `world_banned`), and until when (null: until
         *     lifted, or not in force).
         */
        AdminUserDto: components["schemas"]["ProfileDto"] & {
            admin: boolean;
            disabled: boolean;
            disabled_until?: string | null;
            discoverable: boolean;
            email?: string | null;
            muted: boolean;
            muted_until?: string | null;
            world_banned: boolean;
            world_banned_until?: string | null;
        };
        /** @description A page of accounts; `next`: the `after` of the next page, when full. */
        AdminUsersDto: {
            next?: string | null;
            users: components["schemas"]["AdminUserDto"][];
        };
        /**
         * @description An uploaded file. Send it with `message_type` `image`, `file`, `voice`
         *     or `video` and its `attachment_id` as `content`.
         */
        AttachmentDto: {
            attachment_id: string;
            /** @description The conversation it was sent in; null until then. */
            conversation_id?: string | null;
            created_at: string;
            /** @description A thumbnail is at `/api/v1/attachments/{id}/thumbnail`. */
            has_thumbnail: boolean;
            /** Format: int32 */
            height?: number | null;
            /** @description Sniffed from the bytes (`application/octet-stream` when unknown). */
            media_type: string;
            /** @description The name it was uploaded with. */
            name: string;
            owner_id: string;
            /**
             * Format: int64
             * @description Bytes.
             */
            size: number;
            /**
             * Format: int32
             * @description Images only.
             */
            width?: number | null;
        };
        /**
         * @description A page of the audit log, newest first; `next`: the `before` of the
         *     next page, when full.
         */
        AuditDto: {
            entries: components["schemas"]["AuditEntryDto"][];
            next?: string | null;
        };
        /**
         * @description One line of the audit log: `actor` is an administrator's user id, or
         *     `operator` (the command line).
         */
        AuditEntryDto: {
            action: string;
            actor: string;
            at: string;
            audit_id: string;
            detail: string;
            target: string;
        };
        ChangePasswordBody: {
            current_password: string;
            new_password: string;
        };
        /** @description One dependency's state in `/ready`. */
        Check: {
            name: string;
            reason?: string | null;
            required: boolean;
            /** @description `ok` or `unavailable`. */
            status: string;
        };
        ConversationDto: {
            conversation_id: string;
            group_id?: string | null;
            last_message?: null | components["schemas"]["MessageDto"];
            /** Format: int64 */
            last_seq: number;
            /**
             * Format: int64
             * @description The last message that mentions the caller (0: none).
             */
            mention_seq: number;
            /** @description A message after `read_seq` mentions the caller (by name, or all). */
            mentioned: boolean;
            muted: boolean;
            name: string;
            peer_user_id?: string | null;
            pinned: boolean;
            /** Format: int64 */
            read_seq: number;
            /** @enum {string} */
            type: "single" | "group" | "world";
            /** Format: int64 */
            unread: number;
            updated_at: string;
        };
        ConversationsDto: {
            conversations: components["schemas"]["ConversationDto"][];
        };
        CreateConversationBody: {
            peer_user_id: string;
        };
        CreateGroupBody: {
            description?: string | null;
            join_policy?: string | null;
            /** Format: int64 */
            max_members?: number | null;
            member_ids?: string[] | null;
            name: string;
        };
        DeleteAccountBody: {
            password: string;
        };
        /**
         * @description `POST /api/v1/messages/delete`, frame `delete-messages`: hides messages
         *     from the caller's own history and sync ("delete for me"); the other
         *     members keep them.
         */
        DeleteMessagesBody: {
            conversation_id: string;
            seqs: number[];
        };
        /** @description What `delete-messages` answers: the seqs now hidden from the caller. */
        DeletedDto: {
            conversation_id: string;
            seqs: number[];
        };
        /** @description A registered device; `current` marks the asking session's. */
        DeviceDto: {
            app_id?: string | null;
            created_at: string;
            current: boolean;
            id: string;
            platform: string;
            session_id: string;
            token: string;
        };
        DevicesDto: {
            devices: components["schemas"]["DeviceDto"][];
        };
        /** @description How long an account is disabled. */
        DisableBody: {
            /**
             * Format: int32
             * @description 1-525600 (a year); absent: until enabled.
             */
            minutes?: number | null;
        };
        /**
         * @description `POST /api/v1/messages/edit`, frame `edit-message`: new content for a
         *     message its sender wrote.
         */
        EditMessageBody: {
            client_msg_id: string;
            content: string;
            conversation_id: string;
            /** Format: int64 */
            seq: number;
        };
        /** @description `data` for endpoints that return nothing. */
        Empty: Record<string, never>;
        /** @description The success envelope: `{"code":0,"message":"ok","data":…}`. */
        Envelope_AckDto: {
            /**
             * Format: int32
             * @description Always 0 on success.
             */
            code: number;
            data: {
                client_msg_id: string;
                conversation_id: string;
                created_at: string;
                message_id: string;
                /** Format: int64 */
                seq: number;
            };
            /**
             * @description Always `"ok"` on success.
             * @example ok
             */
            message: string;
        };
        /** @description The success envelope: `{"code":0,"message":"ok","data":…}`. */
        Envelope_AdminUserDto: {
            /**
             * Format: int32
             * @description Always 0 on success.
             */
            code: number;
            /**
             * @description An account as administrators see it: each restriction in force now
             *     (`disabled`, `muted`, `world_banned`), and until when (null: until
             *     lifted, or not in force).
             */
            data: components["schemas"]["ProfileDto"] & {
                admin: boolean;
                disabled: boolean;
                disabled_until?: string | null;
                discoverable: boolean;
                email?: string | null;
                muted: boolean;
                muted_until?: string | null;
                world_banned: boolean;
                world_banned_until?: string | null;
            };
            /**
             * @description Always `"ok"` on success.
             * @example ok
             */
            message: string;
        };
        /** @description The success envelope: `{"code":0,"message":"ok","data":…}`. */
        Envelope_AdminUsersDto: {
            /**
             * Format: int32
             * @description Always 0 on success.
             */
            code: number;
            /** @description A page of accounts; `next`: the `after` of the next page, when full. */
            data: {
                next?: string | null;
                users: components["schemas"]["AdminUserDto"][];
            };
            /**
             * @description Always `"ok"` on success.
             * @example ok
             */
            message: string;
        };
        /** @description The success envelope: `{"code":0,"message":"ok","data":…}`. */
        Envelope_AttachmentDto: {
            /**
             * Format: int32
             * @description Always 0 on success.
             */
            code: number;
            /**
             * @description An uploaded file. Send it with `message_type` `image`, `file`, `voice`
             *     or `video` and its `attachment_id` as `content`.
             */
            data: {
                attachment_id: string;
                /** @description The conversation it was sent in; null until then. */
                conversation_id?: string | null;
                created_at: string;
                /** @description A thumbnail is at `/api/v1/attachments/{id}/thumbnail`. */
                has_thumbnail: boolean;
                /** Format: int32 */
                height?: number | null;
                /** @description Sniffed from the bytes (`application/octet-stream` when unknown). */
                media_type: string;
                /** @description The name it was uploaded with. */
                name: string;
                owner_id: string;
                /**
                 * Format: int64
                 * @description Bytes.
                 */
                size: number;
                /**
                 * Format: int32
                 * @description Images only.
                 */
                width?: number | null;
            };
            /**
             * @description Always `"ok"` on success.
             * @example ok
             */
            message: string;
        };
        /** @description The success envelope: `{"code":0,"message":"ok","data":…}`. */
        Envelope_AuditDto: {
            /**
             * Format: int32
             * @description Always 0 on success.
             */
            code: number;
            /**
             * @description A page of the audit log, newest first; `next`: the `before` of the
             *     next page, when full.
             */
            data: {
                entries: components["schemas"]["AuditEntryDto"][];
                next?: string | null;
            };
            /**
             * @description Always `"ok"` on success.
             * @example ok
             */
            message: string;
        };
        /** @description The success envelope: `{"code":0,"message":"ok","data":…}`. */
        Envelope_ConversationDto: {
            /**
             * Format: int32
             * @description Always 0 on success.
             */
            code: number;
            data: {
                conversation_id: string;
                group_id?: string | null;
                last_message?: null | components["schemas"]["MessageDto"];
                /** Format: int64 */
                last_seq: number;
                /**
                 * Format: int64
                 * @description The last message that mentions the caller (0: none).
                 */
                mention_seq: number;
                /** @description A message after `read_seq` mentions the caller (by name, or all). */
                mentioned: boolean;
                muted: boolean;
                name: string;
                peer_user_id?: string | null;
                pinned: boolean;
                /** Format: int64 */
                read_seq: number;
                /** @enum {string} */
                type: "single" | "group" | "world";
                /** Format: int64 */
                unread: number;
                updated_at: string;
            };
            /**
             * @description Always `"ok"` on success.
             * @example ok
             */
            message: string;
        };
        /** @description The success envelope: `{"code":0,"message":"ok","data":…}`. */
        Envelope_ConversationsDto: {
            /**
             * Format: int32
             * @description Always 0 on success.
             */
            code: number;
            data: {
                conversations: components["schemas"]["ConversationDto"][];
            };
            /**
             * @description Always `"ok"` on success.
             * @example ok
             */
            message: string;
        };
        /** @description The success envelope: `{"code":0,"message":"ok","data":…}`. */
        Envelope_DeletedDto: {
            /**
             * Format: int32
             * @description Always 0 on success.
             */
            code: number;
            /** @description What `delete-messages` answers: the seqs now hidden from the caller. */
            data: {
                conversation_id: string;
                seqs: number[];
            };
            /**
             * @description Always `"ok"` on success.
             * @example ok
             */
            message: string;
        };
        /** @description The success envelope: `{"code":0,"message":"ok","data":…}`. */
        Envelope_DeviceDto: {
            /**
             * Format: int32
             * @description Always 0 on success.
             */
            code: number;
            /** @description A registered device; `current` marks the asking session's. */
            data: {
                app_id?: string | null;
                created_at: string;
                current: boolean;
                id: string;
                platform: string;
                session_id: string;
                token: string;
            };
            /**
             * @description Always `"ok"` on success.
             * @example ok
             */
            message: string;
        };
        /** @description The success envelope: `{"code":0,"message":"ok","data":…}`. */
        Envelope_DevicesDto: {
            /**
             * Format: int32
             * @description Always 0 on success.
             */
            code: number;
            data: {
                devices: components["schemas"]["DeviceDto"][];
            };
            /**
             * @description Always `"ok"` on success.
             * @example ok
             */
            message: string;
        };
        /** @description The success envelope: `{"code":0,"message":"ok","data":…}`. */
        Envelope_Empty: {
            /**
             * Format: int32
             * @description Always 0 on success.
             */
            code: number;
            /** @description `data` for endpoints that return nothing. */
            data: Record<string, never>;
            /**
             * @description Always `"ok"` on success.
             * @example ok
             */
            message: string;
        };
        /** @description The success envelope: `{"code":0,"message":"ok","data":…}`. */
        Envelope_ForwardedDto: {
            /**
             * Format: int32
             * @description Always 0 on success.
             */
            code: number;
            /** @description What a forward answers: the copies' acks, in the order of `seqs`. */
            data: {
                acks: components["schemas"]["AckDto"][];
            };
            /**
             * @description Always `"ok"` on success.
             * @example ok
             */
            message: string;
        };
        /** @description The success envelope: `{"code":0,"message":"ok","data":…}`. */
        Envelope_FriendRequestDto: {
            /**
             * Format: int32
             * @description Always 0 on success.
             */
            code: number;
            data: {
                created_at: string;
                from_user_id: string;
                message: string;
                request_id: string;
                /** @enum {string} */
                status: "pending" | "accepted" | "rejected";
                to_user_id: string;
            };
            /**
             * @description Always `"ok"` on success.
             * @example ok
             */
            message: string;
        };
        /** @description The success envelope: `{"code":0,"message":"ok","data":…}`. */
        Envelope_FriendsDto: {
            /**
             * Format: int32
             * @description Always 0 on success.
             */
            code: number;
            data: {
                friends: components["schemas"]["FriendDto"][];
            };
            /**
             * @description Always `"ok"` on success.
             * @example ok
             */
            message: string;
        };
        /** @description The success envelope: `{"code":0,"message":"ok","data":…}`. */
        Envelope_GroupDto: {
            /**
             * Format: int32
             * @description Always 0 on success.
             */
            code: number;
            data: {
                announcement: string;
                avatar: string;
                conversation_id: string;
                description: string;
                group_id: string;
                /** @enum {string} */
                join_policy: "open" | "invite";
                /** Format: int32 */
                max_members: number;
                /** Format: int32 */
                member_count: number;
                /** @enum {string|null} */
                my_role?: "owner" | "admin" | "member" | null;
                name: string;
                owner_id: string;
            };
            /**
             * @description Always `"ok"` on success.
             * @example ok
             */
            message: string;
        };
        /** @description The success envelope: `{"code":0,"message":"ok","data":…}`. */
        Envelope_HistoryDto: {
            /**
             * Format: int32
             * @description Always 0 on success.
             */
            code: number;
            data: {
                has_more: boolean;
                messages: components["schemas"]["MessageDto"][];
            };
            /**
             * @description Always `"ok"` on success.
             * @example ok
             */
            message: string;
        };
        /** @description The success envelope: `{"code":0,"message":"ok","data":…}`. */
        Envelope_LoginDto: {
            /**
             * Format: int32
             * @description Always 0 on success.
             */
            code: number;
            data: components["schemas"]["TokensDto"] & {
                user: components["schemas"]["ProfileDto"];
            };
            /**
             * @description Always `"ok"` on success.
             * @example ok
             */
            message: string;
        };
        /** @description The success envelope: `{"code":0,"message":"ok","data":…}`. */
        Envelope_MemberDto: {
            /**
             * Format: int32
             * @description Always 0 on success.
             */
            code: number;
            data: {
                muted_until?: string | null;
                /** @enum {string} */
                role: "owner" | "admin" | "member";
                user_id: string;
            };
            /**
             * @description Always `"ok"` on success.
             * @example ok
             */
            message: string;
        };
        /** @description The success envelope: `{"code":0,"message":"ok","data":…}`. */
        Envelope_MembersDto: {
            /**
             * Format: int32
             * @description Always 0 on success.
             */
            code: number;
            data: {
                members: components["schemas"]["MemberDto"][];
            };
            /**
             * @description Always `"ok"` on success.
             * @example ok
             */
            message: string;
        };
        /** @description The success envelope: `{"code":0,"message":"ok","data":…}`. */
        Envelope_MembersPageDto: {
            /**
             * Format: int32
             * @description Always 0 on success.
             */
            code: number;
            /** @description `data` of a members list: one page, in user id order. */
            data: {
                has_more: boolean;
                members: components["schemas"]["MemberDto"][];
            };
            /**
             * @description Always `"ok"` on success.
             * @example ok
             */
            message: string;
        };
        /** @description The success envelope: `{"code":0,"message":"ok","data":…}`. */
        Envelope_OidcProviderDto: {
            /**
             * Format: int32
             * @description Always 0 on success.
             */
            code: number;
            /** @description The OpenID provider users may log in with (`GET /api/v1/auth/oidc`). */
            data: {
                /**
                 * @description As the login button names it: "Log in with {name}".
                 * @example Example ID
                 */
                name: string;
            };
            /**
             * @description Always `"ok"` on success.
             * @example ok
             */
            message: string;
        };
        /** @description The success envelope: `{"code":0,"message":"ok","data":…}`. */
        Envelope_OwnProfileDto: {
            /**
             * Format: int32
             * @description Always 0 on success.
             */
            code: number;
            /** @description One's own profile: the public one and one's settings. */
            data: components["schemas"]["ProfileDto"] & {
                /** @description Holds the admin role: may call `/api/v1/admin/*`. */
                admin: boolean;
                discoverable: boolean;
                /** @description Null: none given. */
                email?: string | null;
            };
            /**
             * @description Always `"ok"` on success.
             * @example ok
             */
            message: string;
        };
        /** @description The success envelope: `{"code":0,"message":"ok","data":…}`. */
        Envelope_ProfileDto: {
            /**
             * Format: int32
             * @description Always 0 on success.
             */
            code: number;
            /** @description The full profile, as anyone sees it. */
            data: {
                avatar: string;
                created_at: string;
                /** @description The account was deleted: the rest is what stands in for it. */
                deleted: boolean;
                nickname: string;
                status_text: string;
                user_id: string;
                username: string;
            };
            /**
             * @description Always `"ok"` on success.
             * @example ok
             */
            message: string;
        };
        /** @description The success envelope: `{"code":0,"message":"ok","data":…}`. */
        Envelope_ReportDto: {
            /**
             * Format: int32
             * @description Always 0 on success.
             */
            code: number;
            /**
             * @description A report; `conversation_id` and `seq` name the message reported,
             *     `reported_user_id` whom it is about; `resolution` null while open.
             */
            data: {
                conversation_id?: string | null;
                created_at: string;
                reason: string;
                report_id: string;
                reported_user_id: string;
                reporter_id: string;
                resolution?: null | components["schemas"]["ResolutionDto"];
                /** Format: int64 */
                seq?: number | null;
            };
            /**
             * @description Always `"ok"` on success.
             * @example ok
             */
            message: string;
        };
        /** @description The success envelope: `{"code":0,"message":"ok","data":…}`. */
        Envelope_ReportsDto: {
            /**
             * Format: int32
             * @description Always 0 on success.
             */
            code: number;
            /**
             * @description A page of reports, newest first; `next`: the `before` of the next
             *     page, when full.
             */
            data: {
                next?: string | null;
                reports: components["schemas"]["ReportDto"][];
            };
            /**
             * @description Always `"ok"` on success.
             * @example ok
             */
            message: string;
        };
        /** @description The success envelope: `{"code":0,"message":"ok","data":…}`. */
        Envelope_RequestsDto: {
            /**
             * Format: int32
             * @description Always 0 on success.
             */
            code: number;
            data: {
                incoming: components["schemas"]["FriendRequestDto"][];
                outgoing: components["schemas"]["FriendRequestDto"][];
            };
            /**
             * @description Always `"ok"` on success.
             * @example ok
             */
            message: string;
        };
        /** @description The success envelope: `{"code":0,"message":"ok","data":…}`. */
        Envelope_ResetTokenDto: {
            /**
             * Format: int32
             * @description Always 0 on success.
             */
            code: number;
            /** @description A one-time reset token, for `POST /api/v1/auth/password/reset`. */
            data: {
                token: string;
                /** Format: int64 */
                valid_for_minutes: number;
            };
            /**
             * @description Always `"ok"` on success.
             * @example ok
             */
            message: string;
        };
        /** @description The success envelope: `{"code":0,"message":"ok","data":…}`. */
        Envelope_RevokedDto: {
            /**
             * Format: int32
             * @description Always 0 on success.
             */
            code: number;
            /** @description How many sessions a request ended. */
            data: {
                /** Format: int32 */
                revoked: number;
            };
            /**
             * @description Always `"ok"` on success.
             * @example ok
             */
            message: string;
        };
        /** @description The success envelope: `{"code":0,"message":"ok","data":…}`. */
        Envelope_SanctionDto: {
            /**
             * Format: int32
             * @description Always 0 on success.
             */
            code: number;
            /** @description A sanction on a user: `active` now, until `until` (null: not active). */
            data: {
                active: boolean;
                /** @description `mute` or `world_ban`. */
                sanction: string;
                until?: string | null;
                user_id: string;
            };
            /**
             * @description Always `"ok"` on success.
             * @example ok
             */
            message: string;
        };
        /** @description The success envelope: `{"code":0,"message":"ok","data":…}`. */
        Envelope_SearchResultsDto: {
            /**
             * Format: int32
             * @description Always 0 on success.
             */
            code: number;
            /**
             * @description A page of results, newest first; `next`: the `before` of the next page,
             *     when more may match.
             */
            data: {
                next?: string | null;
                results: components["schemas"]["SearchResultDto"][];
            };
            /**
             * @description Always `"ok"` on success.
             * @example ok
             */
            message: string;
        };
        /** @description The success envelope: `{"code":0,"message":"ok","data":…}`. */
        Envelope_SessionsDto: {
            /**
             * Format: int32
             * @description Always 0 on success.
             */
            code: number;
            data: {
                sessions: components["schemas"]["SessionDto"][];
            };
            /**
             * @description Always `"ok"` on success.
             * @example ok
             */
            message: string;
        };
        /** @description The success envelope: `{"code":0,"message":"ok","data":…}`. */
        Envelope_TokensDto: {
            /**
             * Format: int32
             * @description Always 0 on success.
             */
            code: number;
            data: {
                access_token: string;
                /** Format: int64 */
                expires_in: number;
                refresh_token: string;
                /** @example Bearer */
                token_type: string;
            };
            /**
             * @description Always `"ok"` on success.
             * @example ok
             */
            message: string;
        };
        /** @description The success envelope: `{"code":0,"message":"ok","data":…}`. */
        Envelope_UnreadDto: {
            /**
             * Format: int32
             * @description Always 0 on success.
             */
            code: number;
            data: {
                conversations: components["schemas"]["UnreadEntryDto"][];
                /** Format: int64 */
                total: number;
            };
            /**
             * @description Always `"ok"` on success.
             * @example ok
             */
            message: string;
        };
        /** @description The success envelope: `{"code":0,"message":"ok","data":…}`. */
        Envelope_UploadDto: {
            /**
             * Format: int32
             * @description Always 0 on success.
             */
            code: number;
            /** @description A resumable upload: how much of the file the server holds. */
            data: {
                attachment?: null | components["schemas"]["AttachmentDto"];
                /**
                 * Format: int64
                 * @description The largest chunk this server takes.
                 */
                chunk_bytes: number;
                created_at: string;
                /**
                 * Format: int64
                 * @description The smallest chunk it takes, but the last.
                 */
                min_chunk_bytes: number;
                name: string;
                /**
                 * Format: int64
                 * @description Bytes the server holds: the next chunk starts here.
                 */
                offset: number;
                /**
                 * Format: int64
                 * @description The whole file, as declared.
                 */
                size: number;
                /** @description Also the attachment's id once the upload is finished. */
                upload_id: string;
            };
            /**
             * @description Always `"ok"` on success.
             * @example ok
             */
            message: string;
        };
        /** @description The success envelope: `{"code":0,"message":"ok","data":…}`. */
        Envelope_UserDto: {
            /**
             * Format: int32
             * @description Always 0 on success.
             */
            code: number;
            /** @description Register's answer and the public profile. */
            data: {
                nickname: string;
                user_id: string;
                username: string;
            };
            /**
             * @description Always `"ok"` on success.
             * @example ok
             */
            message: string;
        };
        /** @description The success envelope: `{"code":0,"message":"ok","data":…}`. */
        Envelope_UsersPageDto: {
            /**
             * Format: int32
             * @description Always 0 on success.
             */
            code: number;
            /**
             * @description A page of the directory; `next`: the `after` of the next page, when
             *     the page was full.
             */
            data: {
                next?: string | null;
                users: components["schemas"]["ProfileDto"][];
            };
            /**
             * @description Always `"ok"` on success.
             * @example ok
             */
            message: string;
        };
        /** @description The success envelope: `{"code":0,"message":"ok","data":…}`. */
        Envelope_WorldMuteDto: {
            /**
             * Format: int32
             * @description Always 0 on success.
             */
            code: number;
            /** @description A user's mute in the world room; `muted_until` null: not muted. */
            data: {
                muted_until?: string | null;
                user_id: string;
            };
            /**
             * @description Always `"ok"` on success.
             * @example ok
             */
            message: string;
        };
        /**
         * @description An error envelope (also the `data` of a WebSocket `error` frame).
         *     `retry_after_ms`: how long to wait before trying again, on a refusal
         *     that knows it (absent otherwise).
         */
        ErrorBody: {
            /** Format: int32 */
            code: number;
            message: string;
            /** Format: int64 */
            retry_after_ms?: number | null;
        };
        /**
         * @description `POST /api/v1/messages/forward`, frame `forward-messages`: copies
         *     messages of one conversation the caller is in into another they may
         *     write to, each marked as forwarded.
         */
        ForwardBody: {
            /**
             * @description The copies' ids are this with `/1`, `/2`, ... appended, so a resend
             *     of the same forward stores nothing twice.
             */
            client_msg_id: string;
            /** @description Where the messages are. */
            conversation_id: string;
            seqs: number[];
            /** @description Where the copies go: exactly one. */
            to_conversation_id?: string | null;
            to_group_id?: string | null;
            to_user_id?: string | null;
        };
        /** @description What a forward answers: the copies' acks, in the order of `seqs`. */
        ForwardedDto: {
            acks: components["schemas"]["AckDto"][];
        };
        FriendDto: {
            nickname: string;
            online: boolean;
            user_id: string;
            username: string;
        };
        FriendRequestBody: {
            message?: string | null;
            to_user_id: string;
        };
        FriendRequestDto: {
            created_at: string;
            from_user_id: string;
            message: string;
            request_id: string;
            /** @enum {string} */
            status: "pending" | "accepted" | "rejected";
            to_user_id: string;
        };
        FriendsDto: {
            friends: components["schemas"]["FriendDto"][];
        };
        GroupDto: {
            announcement: string;
            avatar: string;
            conversation_id: string;
            description: string;
            group_id: string;
            /** @enum {string} */
            join_policy: "open" | "invite";
            /** Format: int32 */
            max_members: number;
            /** Format: int32 */
            member_count: number;
            /** @enum {string|null} */
            my_role?: "owner" | "admin" | "member" | null;
            name: string;
            owner_id: string;
        };
        HistoryDto: {
            has_more: boolean;
            messages: components["schemas"]["MessageDto"][];
        };
        LoginBody: {
            device_id?: string | null;
            password: string;
            username: string;
        };
        LoginDto: components["schemas"]["TokensDto"] & {
            user: components["schemas"]["ProfileDto"];
        };
        MemberDto: {
            muted_until?: string | null;
            /** @enum {string} */
            role: "owner" | "admin" | "member";
            user_id: string;
        };
        MembersDto: {
            members: components["schemas"]["MemberDto"][];
        };
        /** @description `data` of a members list: one page, in user id order. */
        MembersPageDto: {
            has_more: boolean;
            members: components["schemas"]["MemberDto"][];
        };
        MessageDto: {
            client_msg_id: string;
            content: string;
            conversation_id: string;
            /** @enum {string} */
            conversation_type: "single" | "group" | "world";
            created_at: string;
            edited_at?: string | null;
            /** @description A copy forwarded from another conversation. */
            forwarded?: boolean;
            from_user_id: string;
            /** @description It names every member. */
            mention_all?: boolean;
            /** @description The members it names. */
            mentions?: string[];
            message_id: string;
            message_type: string;
            /**
             * Format: int32
             * @description For a `react` or `unreact` event: how many have its emoji on the
             *     target once it is applied.
             */
            reaction_count?: number | null;
            /** @description In history and sync: the reactions on it, as the reader sees them. */
            reactions?: components["schemas"]["ReactionDto"][];
            /** @description A recalled message keeps its place with its content erased. */
            recalled_at?: string | null;
            /**
             * Format: int64
             * @description The seq this message answers.
             */
            reply_to?: number | null;
            /** Format: int64 */
            seq: number;
            /**
             * Format: int64
             * @description For an edit, a recall or a reaction event, the seq it changes.
             */
            target_seq?: number | null;
        };
        /** @description The OpenID provider users may log in with (`GET /api/v1/auth/oidc`). */
        OidcProviderDto: {
            /**
             * @description As the login button names it: "Log in with {name}".
             * @example Example ID
             */
            name: string;
        };
        /** @description `POST /api/v1/uploads`: the file a resumable upload will send. */
        OpenUploadBody: {
            /** @description The file's name (as a multipart upload's file name). */
            name: string;
            /**
             * Format: int64
             * @description The whole file, in bytes.
             */
            size: number;
        };
        /** @description One's own profile: the public one and one's settings. */
        OwnProfileDto: components["schemas"]["ProfileDto"] & {
            /** @description Holds the admin role: may call `/api/v1/admin/*`. */
            admin: boolean;
            discoverable: boolean;
            /** @description Null: none given. */
            email?: string | null;
        };
        /**
         * @description `POST /api/v1/messages/pin`, frame `pin-message`: pins a message to its
         *     conversation (again: kept once).
         */
        PinBody: {
            client_msg_id: string;
            conversation_id: string;
            /** Format: int64 */
            seq: number;
        };
        /** @description The full profile, as anyone sees it. */
        ProfileDto: {
            avatar: string;
            created_at: string;
            /** @description The account was deleted: the rest is what stands in for it. */
            deleted: boolean;
            nickname: string;
            status_text: string;
            user_id: string;
            username: string;
        };
        /**
         * @description `POST /api/v1/messages/react`, frame `react-message`: puts the
         *     caller's `emoji` on a message (again: kept once).
         */
        ReactBody: {
            client_msg_id: string;
            conversation_id: string;
            emoji: string;
            /** Format: int64 */
            seq: number;
        };
        ReactionDto: {
            /** Format: int32 */
            count: number;
            emoji: string;
            mine: boolean;
        };
        /** @description `/ready`: every dependency, and the first failing one's reason. */
        Readiness: {
            checks: components["schemas"]["Check"][];
            reason?: string | null;
            /** @description `ok` or `unavailable`. */
            status: string;
        };
        /**
         * @description `POST /api/v1/messages/recall`, frame `recall-message`: takes a message
         *     back; its content is erased.
         */
        RecallMessageBody: {
            client_msg_id: string;
            conversation_id: string;
            /** Format: int64 */
            seq: number;
        };
        RefreshBody: {
            refresh_token: string;
        };
        RegisterBody: {
            nickname?: string | null;
            password: string;
            username: string;
        };
        /** @description `POST /api/v1/devices`. */
        RegisterDeviceBody: {
            /**
             * @description The app: for `apns` its topic (bundle id), required; otherwise
             *     informative.
             */
            app_id?: string | null;
            /** @description `fcm`, `apns` or `webhook`. */
            platform: string;
            /**
             * @description The provider's token for this app on this phone (hex for `apns`),
             *     1 to 512 printable ASCII characters.
             */
            token: string;
        };
        /** @description The message an administrator removes. */
        RemoveMessageBody: {
            conversation_id: string;
            /** Format: int64 */
            seq: number;
        };
        /**
         * @description A report of a user (`user_id`), or of a message (`conversation_id` and
         *     `seq`), with why.
         */
        ReportBody: {
            conversation_id?: string | null;
            /** @description 1-1000 characters. */
            reason: string;
            /** Format: int64 */
            seq?: number | null;
            user_id?: string | null;
        };
        /**
         * @description A report; `conversation_id` and `seq` name the message reported,
         *     `reported_user_id` whom it is about; `resolution` null while open.
         */
        ReportDto: {
            conversation_id?: string | null;
            created_at: string;
            reason: string;
            report_id: string;
            reported_user_id: string;
            reporter_id: string;
            resolution?: null | components["schemas"]["ResolutionDto"];
            /** Format: int64 */
            seq?: number | null;
        };
        /**
         * @description A page of reports, newest first; `next`: the `before` of the next
         *     page, when full.
         */
        ReportsDto: {
            next?: string | null;
            reports: components["schemas"]["ReportDto"][];
        };
        RequestsDto: {
            incoming: components["schemas"]["FriendRequestDto"][];
            outgoing: components["schemas"]["FriendRequestDto"][];
        };
        /** @description `POST /api/v1/auth/password/reset`. */
        ResetPasswordBody: {
            new_password: string;
            /** @description A reset token from `ferrochat admin reset-password`. */
            token: string;
        };
        /** @description How long a reset token an administrator asks for stays valid. */
        ResetTokenBody: {
            /**
             * Format: int32
             * @description 1-10080 (a week); default 60.
             */
            valid_for_minutes?: number | null;
        };
        /** @description A one-time reset token, for `POST /api/v1/auth/password/reset`. */
        ResetTokenDto: {
            token: string;
            /** Format: int64 */
            valid_for_minutes: number;
        };
        ResolutionDto: {
            note: string;
            resolved_at: string;
            resolved_by: string;
        };
        /** @description How an administrator closes a report. */
        ResolveBody: {
            /** @description At most 1000 characters; may be absent. */
            note?: string | null;
        };
        /** @description How many sessions a request ended. */
        RevokedDto: {
            /** Format: int32 */
            revoked: number;
        };
        /** @description A sanction on a user: `active` now, until `until` (null: not active). */
        SanctionDto: {
            active: boolean;
            /** @description `mute` or `world_ban`. */
            sanction: string;
            until?: string | null;
            user_id: string;
        };
        /**
         * @description One result: the message as history shows it, and where the query's
         *     words are in its content (`[start, end)` in UTF-16 code units).
         */
        SearchResultDto: {
            highlights: number[][];
            message: components["schemas"]["MessageDto"];
        };
        /**
         * @description A page of results, newest first; `next`: the `before` of the next page,
         *     when more may match.
         */
        SearchResultsDto: {
            next?: string | null;
            results: components["schemas"]["SearchResultDto"][];
        };
        SendMessageBody: {
            client_msg_id: string;
            content: string;
            conversation_id?: string | null;
            group_id?: string | null;
            /** @description Mentions every member (a group's owner and admins only). */
            mention_all?: boolean | null;
            /** @description Members this message names (ids, at most `MAX_MENTIONS`). */
            mentions?: string[] | null;
            message_type?: string | null;
            /**
             * Format: int64
             * @description The seq of a message of the same conversation this one answers.
             */
            reply_to?: number | null;
            to_user_id?: string | null;
        };
        /** @description One live session; `current` marks the one asking. */
        SessionDto: {
            created_at: string;
            current: boolean;
            device_id?: string | null;
            expires_at: string;
            last_seen_at: string;
            session_id: string;
        };
        SessionsDto: {
            sessions: components["schemas"]["SessionDto"][];
        };
        /** @description `/health` and `/live`: the process serves. */
        Status: {
            /** @example ok */
            status: string;
        };
        TokensDto: {
            access_token: string;
            /** Format: int64 */
            expires_in: number;
            refresh_token: string;
            /** @example Bearer */
            token_type: string;
        };
        TransferBody: {
            user_id: string;
        };
        /**
         * @description `POST /api/v1/messages/unpin`, frame `unpin-message`: takes a message
         *     off its conversation's pins (not pinned: nothing changes).
         */
        UnpinBody: components["schemas"]["PinBody"];
        /**
         * @description `POST /api/v1/messages/unreact`, frame `unreact-message`: takes the
         *     caller's `emoji` off a message (not there: nothing changes).
         */
        UnreactBody: components["schemas"]["ReactBody"];
        UnreadDto: {
            conversations: components["schemas"]["UnreadEntryDto"][];
            /** Format: int64 */
            total: number;
        };
        UnreadEntryDto: {
            conversation_id: string;
            /** Format: int64 */
            unread: number;
        };
        UpdateConversationBody: {
            muted?: boolean | null;
            pinned?: boolean | null;
            /** Format: int64 */
            read_seq?: number | null;
        };
        /** @description `PUT /api/v1/groups/{id}`: what to change; absent fields are kept. */
        UpdateGroupBody: {
            announcement?: string | null;
            avatar?: string | null;
            description?: string | null;
            join_policy?: string | null;
            name?: string | null;
        };
        UpdateMemberBody: {
            muted_until?: string | null;
            role?: string | null;
        };
        UpdateProfileBody: {
            avatar?: string | null;
            /** @description Found by others in the user directory. */
            discoverable?: boolean | null;
            /** @description Empty removes it. */
            email?: string | null;
            nickname?: string | null;
            status_text?: string | null;
        };
        /** @description A resumable upload: how much of the file the server holds. */
        UploadDto: {
            attachment?: null | components["schemas"]["AttachmentDto"];
            /**
             * Format: int64
             * @description The largest chunk this server takes.
             */
            chunk_bytes: number;
            created_at: string;
            /**
             * Format: int64
             * @description The smallest chunk it takes, but the last.
             */
            min_chunk_bytes: number;
            name: string;
            /**
             * Format: int64
             * @description Bytes the server holds: the next chunk starts here.
             */
            offset: number;
            /**
             * Format: int64
             * @description The whole file, as declared.
             */
            size: number;
            /** @description Also the attachment's id once the upload is finished. */
            upload_id: string;
        };
        /** @description The form: one part named `file`, with a file name. */
        UploadForm: {
            /** Format: binary */
            file: string;
        };
        /** @description Register's answer and the public profile. */
        UserDto: {
            nickname: string;
            user_id: string;
            username: string;
        };
        UserIdsBody: {
            user_ids: string[];
        };
        /**
         * @description A page of the directory; `next`: the `after` of the next page, when
         *     the page was full.
         */
        UsersPageDto: {
            next?: string | null;
            users: components["schemas"]["ProfileDto"][];
        };
        /** @description How long a user is muted in the world room, or sanctioned. */
        WorldMuteBody: {
            /**
             * Format: int32
             * @description 1-525600 (a year).
             */
            minutes: number;
        };
        /** @description A user's mute in the world room; `muted_until` null: not muted. */
        WorldMuteDto: {
            muted_until?: string | null;
            user_id: string;
        };
    };
    responses: {
        /** @description 1001 (HTTP 400): invalid parameters (the message names the field) */
        E1001: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "code": 1001,
                 *       "message": "invalid parameters (the message names the field)"
                 *     }
                 */
                "application/json": components["schemas"]["ErrorBody"] & {
                    /** @enum {integer} */
                    code: 1001;
                };
            };
        };
        /** @description 1001 (HTTP 408): invalid parameters: the request body did not arrive whole in time */
        E1001Stalled: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "code": 1001,
                 *       "message": "invalid parameters: the request body did not arrive whole in time"
                 *     }
                 */
                "application/json": components["schemas"]["ErrorBody"] & {
                    /** @enum {integer} */
                    code: 1001;
                };
            };
        };
        /** @description 1002 (HTTP 401): unauthorized: missing, invalid or expired token, or wrong credentials */
        E1002: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "code": 1002,
                 *       "message": "unauthorized: missing, invalid or expired token, or wrong credentials"
                 *     }
                 */
                "application/json": components["schemas"]["ErrorBody"] & {
                    /** @enum {integer} */
                    code: 1002;
                };
            };
        };
        /** @description 1003 (HTTP 404): not found */
        E1003: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "code": 1003,
                 *       "message": "not found"
                 *     }
                 */
                "application/json": components["schemas"]["ErrorBody"] & {
                    /** @enum {integer} */
                    code: 1003;
                };
            };
        };
        /** @description 1004 (HTTP 500): internal error */
        E1004: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "code": 1004,
                 *       "message": "internal error"
                 *     }
                 */
                "application/json": components["schemas"]["ErrorBody"] & {
                    /** @enum {integer} */
                    code: 1004;
                };
            };
        };
        /** @description 1005 (HTTP 403): forbidden */
        E1005: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "code": 1005,
                 *       "message": "forbidden"
                 *     }
                 */
                "application/json": components["schemas"]["ErrorBody"] & {
                    /** @enum {integer} */
                    code: 1005;
                };
            };
        };
        /** @description 1006 (HTTP 409): conflict */
        E1006: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "code": 1006,
                 *       "message": "conflict"
                 *     }
                 */
                "application/json": components["schemas"]["ErrorBody"] & {
                    /** @enum {integer} */
                    code: 1006;
                };
            };
        };
        /** @description 1007 (HTTP 429): rate limited: slow down; `retry_after_ms` and a `Retry-After` header when the wait is known */
        E1007: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "code": 1007,
                 *       "message": "rate limited: slow down; `retry_after_ms` and a `Retry-After` header when the wait is known"
                 *     }
                 */
                "application/json": components["schemas"]["ErrorBody"] & {
                    /** @enum {integer} */
                    code: 1007;
                };
            };
        };
        /** @description 1008 (HTTP 413): too large */
        E1008: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "code": 1008,
                 *       "message": "too large"
                 *     }
                 */
                "application/json": components["schemas"]["ErrorBody"] & {
                    /** @enum {integer} */
                    code: 1008;
                };
            };
        };
        /** @description 1009 (HTTP 503): unavailable: retry after a pause (a send with the same `client_msg_id`) */
        E1009: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "code": 1009,
                 *       "message": "unavailable: retry after a pause (a send with the same `client_msg_id`)"
                 *     }
                 */
                "application/json": components["schemas"]["ErrorBody"] & {
                    /** @enum {integer} */
                    code: 1009;
                };
            };
        };
    };
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    operations_openapi_json: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The document */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, never>;
                };
            };
            503: components["responses"]["E1009"];
        };
    };
    moderation_audit: {
        parameters: {
            query?: {
                /** @description The `next` of the previous page. */
                before?: string;
                /** @description 1-100, default 50. */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The audit log: done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_AuditDto"];
                };
            };
            400: components["responses"]["E1001"];
            401: components["responses"]["E1002"];
            403: components["responses"]["E1005"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    moderation_dissolve_group: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The group id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Dissolve any group: done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_Empty"];
                };
            };
            401: components["responses"]["E1002"];
            403: components["responses"]["E1005"];
            404: components["responses"]["E1003"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    moderation_remove_message: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RemoveMessageBody"];
            };
        };
        responses: {
            /** @description Remove any message: done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_AckDto"];
                };
            };
            400: components["responses"]["E1001"];
            401: components["responses"]["E1002"];
            403: components["responses"]["E1005"];
            404: components["responses"]["E1003"];
            408: components["responses"]["E1001Stalled"];
            413: components["responses"]["E1008"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    moderation_reports: {
        parameters: {
            query?: {
                /** @description `open` (the default) or `all`. */
                status?: string;
                /** @description The `next` of the previous page. */
                before?: string;
                /** @description 1-100, default 50. */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Users' reports: done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_ReportsDto"];
                };
            };
            400: components["responses"]["E1001"];
            401: components["responses"]["E1002"];
            403: components["responses"]["E1005"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    moderation_resolve_report: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The report id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ResolveBody"];
            };
        };
        responses: {
            /** @description Resolve a report: done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_ReportDto"];
                };
            };
            400: components["responses"]["E1001"];
            401: components["responses"]["E1002"];
            403: components["responses"]["E1005"];
            404: components["responses"]["E1003"];
            408: components["responses"]["E1001Stalled"];
            413: components["responses"]["E1008"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    moderation_users: {
        parameters: {
            query?: {
                /** @description A username prefix, at most 32 characters; absent: everyone. */
                q?: string;
                /** @description The `next` of the previous page. */
                after?: string;
                /** @description 1-100, default 50. */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Every account: done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_AdminUsersDto"];
                };
            };
            400: components["responses"]["E1001"];
            401: components["responses"]["E1002"];
            403: components["responses"]["E1005"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    moderation_disable: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The user id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["DisableBody"];
            };
        };
        responses: {
            /** @description Disable an account: done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_AdminUserDto"];
                };
            };
            400: components["responses"]["E1001"];
            401: components["responses"]["E1002"];
            403: components["responses"]["E1005"];
            404: components["responses"]["E1003"];
            408: components["responses"]["E1001Stalled"];
            413: components["responses"]["E1008"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    moderation_enable: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The user id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Enable an account: done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_AdminUserDto"];
                };
            };
            401: components["responses"]["E1002"];
            403: components["responses"]["E1005"];
            404: components["responses"]["E1003"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    moderation_mute_everywhere: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The user id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["WorldMuteBody"];
            };
        };
        responses: {
            /** @description Mute a user everywhere: done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_SanctionDto"];
                };
            };
            400: components["responses"]["E1001"];
            401: components["responses"]["E1002"];
            403: components["responses"]["E1005"];
            404: components["responses"]["E1003"];
            408: components["responses"]["E1001Stalled"];
            413: components["responses"]["E1008"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    moderation_unmute_everywhere: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The user id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Lift a user's mute: done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_SanctionDto"];
                };
            };
            401: components["responses"]["E1002"];
            403: components["responses"]["E1005"];
            404: components["responses"]["E1003"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    moderation_password_reset: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The user id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ResetTokenBody"];
            };
        };
        responses: {
            /** @description A password reset token: done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_ResetTokenDto"];
                };
            };
            400: components["responses"]["E1001"];
            401: components["responses"]["E1002"];
            403: components["responses"]["E1005"];
            404: components["responses"]["E1003"];
            408: components["responses"]["E1001Stalled"];
            413: components["responses"]["E1008"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    moderation_ban_from_world: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The user id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["WorldMuteBody"];
            };
        };
        responses: {
            /** @description Ban a user from the world room: done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_SanctionDto"];
                };
            };
            400: components["responses"]["E1001"];
            401: components["responses"]["E1002"];
            403: components["responses"]["E1005"];
            404: components["responses"]["E1003"];
            408: components["responses"]["E1001Stalled"];
            413: components["responses"]["E1008"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    moderation_unban_from_world: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The user id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Lift a user's world-room ban: done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_SanctionDto"];
                };
            };
            401: components["responses"]["E1002"];
            403: components["responses"]["E1005"];
            404: components["responses"]["E1003"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    moderation_mute_in_world: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The user id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["WorldMuteBody"];
            };
        };
        responses: {
            /** @description Mute a user in the world room: done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_WorldMuteDto"];
                };
            };
            400: components["responses"]["E1001"];
            401: components["responses"]["E1002"];
            403: components["responses"]["E1005"];
            404: components["responses"]["E1003"];
            408: components["responses"]["E1001Stalled"];
            413: components["responses"]["E1008"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    moderation_unmute_in_world: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The user id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Unmute a user in the world room: done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_WorldMuteDto"];
                };
            };
            401: components["responses"]["E1002"];
            403: components["responses"]["E1005"];
            404: components["responses"]["E1003"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    attachments_upload: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": components["schemas"]["UploadForm"];
            };
        };
        responses: {
            /** @description Uploaded */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_AttachmentDto"];
                };
            };
            400: components["responses"]["E1001"];
            401: components["responses"]["E1002"];
            408: components["responses"]["E1001Stalled"];
            413: components["responses"]["E1008"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    attachments_download: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description attachment_id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The file */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/octet-stream": string;
                };
            };
            /** @description The range asked for */
            206: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/octet-stream": string;
                };
            };
            400: components["responses"]["E1001"];
            401: components["responses"]["E1002"];
            403: components["responses"]["E1005"];
            404: components["responses"]["E1003"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    attachments_info: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description attachment_id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The metadata */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_AttachmentDto"];
                };
            };
            400: components["responses"]["E1001"];
            401: components["responses"]["E1002"];
            403: components["responses"]["E1005"];
            404: components["responses"]["E1003"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    attachments_thumbnail: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description attachment_id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The thumbnail */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "image/png": string;
                };
            };
            400: components["responses"]["E1001"];
            401: components["responses"]["E1002"];
            403: components["responses"]["E1005"];
            404: components["responses"]["E1003"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    accounts_login: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["LoginBody"];
            };
        };
        responses: {
            /** @description Tokens and the user */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_LoginDto"];
                };
            };
            400: components["responses"]["E1001"];
            401: components["responses"]["E1002"];
            408: components["responses"]["E1001Stalled"];
            413: components["responses"]["E1008"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    accounts_logout: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Logged out */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_Empty"];
                };
            };
            401: components["responses"]["E1002"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    sessions_logout_others: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description End every other session: done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_RevokedDto"];
                };
            };
            401: components["responses"]["E1002"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    accounts_provider: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The provider */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_OidcProviderDto"];
                };
            };
            404: components["responses"]["E1003"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    accounts_callback: {
        parameters: {
            query?: {
                /** @description The provider's authorization code. */
                code?: string;
                /** @description The value `start` sent, returned by the provider. */
                state?: string;
                /**
                 * @description Set by the provider instead of `code` when the login failed
                 *     (`access_denied`, ...).
                 */
                error?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description To the web client, with the tokens or the error in the fragment */
            303: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    accounts_start: {
        parameters: {
            query?: {
                /**
                 * @description The browser's name for itself, as at a password login
                 *     (`device_id`: 1-64 printable ASCII characters).
                 */
                device_id?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description To the provider's login page */
            302: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["E1001"];
            404: components["responses"]["E1003"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    sessions_change_password: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ChangePasswordBody"];
            };
        };
        responses: {
            /** @description Change your password: done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_RevokedDto"];
                };
            };
            400: components["responses"]["E1001"];
            401: components["responses"]["E1002"];
            403: components["responses"]["E1005"];
            408: components["responses"]["E1001Stalled"];
            413: components["responses"]["E1008"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    accounts_reset_password: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ResetPasswordBody"];
            };
        };
        responses: {
            /** @description The password is set; sessions ended */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_RevokedDto"];
                };
            };
            400: components["responses"]["E1001"];
            401: components["responses"]["E1002"];
            408: components["responses"]["E1001Stalled"];
            413: components["responses"]["E1008"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    accounts_refresh: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RefreshBody"];
            };
        };
        responses: {
            /** @description A new token pair */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_TokensDto"];
                };
            };
            400: components["responses"]["E1001"];
            401: components["responses"]["E1002"];
            408: components["responses"]["E1001Stalled"];
            413: components["responses"]["E1008"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    sessions_list: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Your live sessions: done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_SessionsDto"];
                };
            };
            401: components["responses"]["E1002"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    sessions_end: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The session id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description End one of your sessions: done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_Empty"];
                };
            };
            401: components["responses"]["E1002"];
            404: components["responses"]["E1003"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    friends_block: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The user id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Block a user: done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_Empty"];
                };
            };
            400: components["responses"]["E1001"];
            401: components["responses"]["E1002"];
            404: components["responses"]["E1003"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    friends_unblock: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The user id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Unblock a user: done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_Empty"];
                };
            };
            400: components["responses"]["E1001"];
            401: components["responses"]["E1002"];
            404: components["responses"]["E1003"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    conversations_list: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Your conversations: done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_ConversationsDto"];
                };
            };
            401: components["responses"]["E1002"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    conversations_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateConversationBody"];
            };
        };
        responses: {
            /** @description Open a single conversation: done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_ConversationDto"];
                };
            };
            400: components["responses"]["E1001"];
            401: components["responses"]["E1002"];
            403: components["responses"]["E1005"];
            404: components["responses"]["E1003"];
            408: components["responses"]["E1001Stalled"];
            413: components["responses"]["E1008"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    conversations_update: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The conversation id (`world` for the world room) */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateConversationBody"];
            };
        };
        responses: {
            /** @description Move your read cursor, mute, pin: done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_ConversationDto"];
                };
            };
            400: components["responses"]["E1001"];
            401: components["responses"]["E1002"];
            403: components["responses"]["E1005"];
            404: components["responses"]["E1003"];
            408: components["responses"]["E1001Stalled"];
            413: components["responses"]["E1008"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    conversations_pins: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The conversation id (`world` for the world room) */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Pinned messages: done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_HistoryDto"];
                };
            };
            400: components["responses"]["E1001"];
            401: components["responses"]["E1002"];
            403: components["responses"]["E1005"];
            404: components["responses"]["E1003"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    devices_list: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Your registered devices: done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_DevicesDto"];
                };
            };
            401: components["responses"]["E1002"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    devices_register: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RegisterDeviceBody"];
            };
        };
        responses: {
            /** @description Register this session's push token: done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_DeviceDto"];
                };
            };
            400: components["responses"]["E1001"];
            401: components["responses"]["E1002"];
            408: components["responses"]["E1001Stalled"];
            413: components["responses"]["E1008"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    devices_remove: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The device id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Remove one of your devices: done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_Empty"];
                };
            };
            401: components["responses"]["E1002"];
            404: components["responses"]["E1003"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    friends_friends: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Your friends: done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_FriendsDto"];
                };
            };
            401: components["responses"]["E1002"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    friends_requests: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Pending friend requests: done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_RequestsDto"];
                };
            };
            401: components["responses"]["E1002"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    friends_request: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["FriendRequestBody"];
            };
        };
        responses: {
            /** @description Ask someone to be your friend: done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_FriendRequestDto"];
                };
            };
            400: components["responses"]["E1001"];
            401: components["responses"]["E1002"];
            403: components["responses"]["E1005"];
            404: components["responses"]["E1003"];
            408: components["responses"]["E1001Stalled"];
            409: components["responses"]["E1006"];
            413: components["responses"]["E1008"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    friends_accept: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The request id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Accept a friend request: done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_FriendRequestDto"];
                };
            };
            400: components["responses"]["E1001"];
            401: components["responses"]["E1002"];
            404: components["responses"]["E1003"];
            409: components["responses"]["E1006"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    friends_reject: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The request id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Reject a friend request: done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_FriendRequestDto"];
                };
            };
            400: components["responses"]["E1001"];
            401: components["responses"]["E1002"];
            404: components["responses"]["E1003"];
            409: components["responses"]["E1006"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    friends_unfriend: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The friend's user id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description End a friendship: done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_Empty"];
                };
            };
            400: components["responses"]["E1001"];
            401: components["responses"]["E1002"];
            404: components["responses"]["E1003"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    groups_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateGroupBody"];
            };
        };
        responses: {
            /** @description Create a group: done */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_GroupDto"];
                };
            };
            400: components["responses"]["E1001"];
            401: components["responses"]["E1002"];
            403: components["responses"]["E1005"];
            404: components["responses"]["E1003"];
            408: components["responses"]["E1001Stalled"];
            409: components["responses"]["E1006"];
            413: components["responses"]["E1008"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    groups_show: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The group id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A group: done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_GroupDto"];
                };
            };
            400: components["responses"]["E1001"];
            401: components["responses"]["E1002"];
            403: components["responses"]["E1005"];
            404: components["responses"]["E1003"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    groups_update_group: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The group id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateGroupBody"];
            };
        };
        responses: {
            /** @description Change a group: done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_GroupDto"];
                };
            };
            400: components["responses"]["E1001"];
            401: components["responses"]["E1002"];
            403: components["responses"]["E1005"];
            404: components["responses"]["E1003"];
            408: components["responses"]["E1001Stalled"];
            413: components["responses"]["E1008"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    groups_dissolve: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The group id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Dissolve a group: done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_Empty"];
                };
            };
            400: components["responses"]["E1001"];
            401: components["responses"]["E1002"];
            403: components["responses"]["E1005"];
            404: components["responses"]["E1003"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    groups_join: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The group id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Join a group: done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_GroupDto"];
                };
            };
            400: components["responses"]["E1001"];
            401: components["responses"]["E1002"];
            403: components["responses"]["E1005"];
            404: components["responses"]["E1003"];
            409: components["responses"]["E1006"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    groups_leave: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The group id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Leave a group: done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_Empty"];
                };
            };
            400: components["responses"]["E1001"];
            401: components["responses"]["E1002"];
            403: components["responses"]["E1005"];
            404: components["responses"]["E1003"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    groups_members: {
        parameters: {
            query?: {
                /** @description A user id: the members after it. */
                after?: string;
                /** @description 1-1,000, default 1,000. */
                limit?: number;
            };
            header?: never;
            path: {
                /** @description The group id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of a group's members: done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_MembersPageDto"];
                };
            };
            400: components["responses"]["E1001"];
            401: components["responses"]["E1002"];
            403: components["responses"]["E1005"];
            404: components["responses"]["E1003"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    groups_add_members: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The group id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UserIdsBody"];
            };
        };
        responses: {
            /** @description Add members: done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_MembersDto"];
                };
            };
            400: components["responses"]["E1001"];
            401: components["responses"]["E1002"];
            403: components["responses"]["E1005"];
            404: components["responses"]["E1003"];
            408: components["responses"]["E1001Stalled"];
            409: components["responses"]["E1006"];
            413: components["responses"]["E1008"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    groups_update_member: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The group id */
                id: string;
                /** @description The member's user id */
                user_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateMemberBody"];
            };
        };
        responses: {
            /** @description Change a member's role or mute: done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_MemberDto"];
                };
            };
            400: components["responses"]["E1001"];
            401: components["responses"]["E1002"];
            403: components["responses"]["E1005"];
            404: components["responses"]["E1003"];
            408: components["responses"]["E1001Stalled"];
            413: components["responses"]["E1008"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    groups_kick: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The group id */
                id: string;
                /** @description The member's user id */
                user_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Remove a member: done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_Empty"];
                };
            };
            400: components["responses"]["E1001"];
            401: components["responses"]["E1002"];
            403: components["responses"]["E1005"];
            404: components["responses"]["E1003"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    groups_transfer: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The group id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["TransferBody"];
            };
        };
        responses: {
            /** @description Transfer ownership: done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_GroupDto"];
                };
            };
            400: components["responses"]["E1001"];
            401: components["responses"]["E1002"];
            403: components["responses"]["E1005"];
            404: components["responses"]["E1003"];
            408: components["responses"]["E1001Stalled"];
            413: components["responses"]["E1008"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    messages_delete_messages: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["DeleteMessagesBody"];
            };
        };
        responses: {
            /** @description Hide messages from your history: done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_DeletedDto"];
                };
            };
            400: components["responses"]["E1001"];
            401: components["responses"]["E1002"];
            403: components["responses"]["E1005"];
            404: components["responses"]["E1003"];
            408: components["responses"]["E1001Stalled"];
            413: components["responses"]["E1008"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    messages_edit: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["EditMessageBody"];
            };
        };
        responses: {
            /** @description Edit a message: done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_AckDto"];
                };
            };
            400: components["responses"]["E1001"];
            401: components["responses"]["E1002"];
            403: components["responses"]["E1005"];
            404: components["responses"]["E1003"];
            408: components["responses"]["E1001Stalled"];
            413: components["responses"]["E1008"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    messages_forward_messages: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ForwardBody"];
            };
        };
        responses: {
            /** @description Forward messages: done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_ForwardedDto"];
                };
            };
            400: components["responses"]["E1001"];
            401: components["responses"]["E1002"];
            403: components["responses"]["E1005"];
            404: components["responses"]["E1003"];
            408: components["responses"]["E1001Stalled"];
            413: components["responses"]["E1008"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    messages_history: {
        parameters: {
            query: {
                /** @description The conversation to read. */
                conversation_id: string;
                /** @description The page starts right after this seq. */
                after_seq?: number;
                /** @description The page ends right before this seq (default: the newest message). */
                before_seq?: number;
                /** @description 1-200, default 50. */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of a conversation's messages: done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_HistoryDto"];
                };
            };
            400: components["responses"]["E1001"];
            401: components["responses"]["E1002"];
            403: components["responses"]["E1005"];
            404: components["responses"]["E1003"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    messages_pin: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PinBody"];
            };
        };
        responses: {
            /** @description Pin a message: done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_AckDto"];
                };
            };
            400: components["responses"]["E1001"];
            401: components["responses"]["E1002"];
            403: components["responses"]["E1005"];
            404: components["responses"]["E1003"];
            408: components["responses"]["E1001Stalled"];
            409: components["responses"]["E1006"];
            413: components["responses"]["E1008"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    messages_react: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ReactBody"];
            };
        };
        responses: {
            /** @description Put an emoji on a message: done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_AckDto"];
                };
            };
            400: components["responses"]["E1001"];
            401: components["responses"]["E1002"];
            403: components["responses"]["E1005"];
            404: components["responses"]["E1003"];
            408: components["responses"]["E1001Stalled"];
            409: components["responses"]["E1006"];
            413: components["responses"]["E1008"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    messages_recall: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RecallMessageBody"];
            };
        };
        responses: {
            /** @description Recall a message: done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_AckDto"];
                };
            };
            400: components["responses"]["E1001"];
            401: components["responses"]["E1002"];
            403: components["responses"]["E1005"];
            404: components["responses"]["E1003"];
            408: components["responses"]["E1001Stalled"];
            413: components["responses"]["E1008"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    messages_search: {
        parameters: {
            query: {
                /** @description 1-200 characters, 1-8 words. */
                q: string;
                /** @description Only this conversation. */
                conversation_id?: string;
                /** @description Only this sender's messages (a user id). */
                from?: string;
                /** @description The `next` of the previous page. */
                before?: string;
                /** @description 1-50, default 20. */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Search your messages: done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_SearchResultsDto"];
                };
            };
            400: components["responses"]["E1001"];
            401: components["responses"]["E1002"];
            403: components["responses"]["E1005"];
            404: components["responses"]["E1003"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    messages_send_new: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SendMessageBody"];
            };
        };
        responses: {
            /** @description Send a message: done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_AckDto"];
                };
            };
            400: components["responses"]["E1001"];
            401: components["responses"]["E1002"];
            403: components["responses"]["E1005"];
            404: components["responses"]["E1003"];
            408: components["responses"]["E1001Stalled"];
            413: components["responses"]["E1008"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    messages_unpin: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UnpinBody"];
            };
        };
        responses: {
            /** @description Unpin a message: done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_AckDto"];
                };
            };
            400: components["responses"]["E1001"];
            401: components["responses"]["E1002"];
            403: components["responses"]["E1005"];
            404: components["responses"]["E1003"];
            408: components["responses"]["E1001Stalled"];
            413: components["responses"]["E1008"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    messages_unreact: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UnreactBody"];
            };
        };
        responses: {
            /** @description Take an emoji off a message: done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_AckDto"];
                };
            };
            400: components["responses"]["E1001"];
            401: components["responses"]["E1002"];
            403: components["responses"]["E1005"];
            404: components["responses"]["E1003"];
            408: components["responses"]["E1001Stalled"];
            413: components["responses"]["E1008"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    messages_unread: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Unread counts: done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_UnreadDto"];
                };
            };
            401: components["responses"]["E1002"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    moderation_report: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ReportBody"];
            };
        };
        responses: {
            /** @description Report a user or a message: done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_ReportDto"];
                };
            };
            400: components["responses"]["E1001"];
            401: components["responses"]["E1002"];
            404: components["responses"]["E1003"];
            408: components["responses"]["E1001Stalled"];
            413: components["responses"]["E1008"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    attachments_open: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["OpenUploadBody"];
            };
        };
        responses: {
            /** @description Opened */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_UploadDto"];
                };
            };
            400: components["responses"]["E1001"];
            401: components["responses"]["E1002"];
            408: components["responses"]["E1001Stalled"];
            413: components["responses"]["E1008"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    attachments_status: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description upload_id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The upload */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_UploadDto"];
                };
            };
            401: components["responses"]["E1002"];
            404: components["responses"]["E1003"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    attachments_abort: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description upload_id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Abandoned */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_Empty"];
                };
            };
            401: components["responses"]["E1002"];
            404: components["responses"]["E1003"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    chunk: {
        parameters: {
            query?: never;
            header: {
                /** @description where this chunk starts in the file */
                "Upload-Offset": number;
            };
            path: {
                /** @description upload_id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/offset+octet-stream": number[];
            };
        };
        responses: {
            /** @description Stored */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_UploadDto"];
                };
            };
            400: components["responses"]["E1001"];
            401: components["responses"]["E1002"];
            404: components["responses"]["E1003"];
            408: components["responses"]["E1001Stalled"];
            413: components["responses"]["E1008"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    sessions_delete_account: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["DeleteAccountBody"];
            };
        };
        responses: {
            /** @description Delete your account: done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_Empty"];
                };
            };
            400: components["responses"]["E1001"];
            401: components["responses"]["E1002"];
            403: components["responses"]["E1005"];
            408: components["responses"]["E1001Stalled"];
            409: components["responses"]["E1006"];
            413: components["responses"]["E1008"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    accounts_export: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The export */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, never>;
                };
            };
            401: components["responses"]["E1002"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    accounts_profile: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Your profile: done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_OwnProfileDto"];
                };
            };
            401: components["responses"]["E1002"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    accounts_update_profile: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateProfileBody"];
            };
        };
        responses: {
            /** @description Change your profile: done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_OwnProfileDto"];
                };
            };
            400: components["responses"]["E1001"];
            401: components["responses"]["E1002"];
            408: components["responses"]["E1001Stalled"];
            409: components["responses"]["E1006"];
            413: components["responses"]["E1008"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    accounts_register: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RegisterBody"];
            };
        };
        responses: {
            /** @description The new account */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_UserDto"];
                };
            };
            400: components["responses"]["E1001"];
            408: components["responses"]["E1001Stalled"];
            409: components["responses"]["E1006"];
            413: components["responses"]["E1008"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    accounts_search: {
        parameters: {
            query: {
                /** @description The prefix to find: 1-32 characters once trimmed. */
                q: string;
                /** @description The `next` of the previous page. */
                after?: string;
                /** @description 1-50, default 20. */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Find people: done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_UsersPageDto"];
                };
            };
            400: components["responses"]["E1001"];
            401: components["responses"]["E1002"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    accounts_public_profile: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The user id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A user's public profile: done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Envelope_ProfileDto"];
                };
            };
            400: components["responses"]["E1001"];
            401: components["responses"]["E1002"];
            404: components["responses"]["E1003"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
    operations_ws_frames_schema: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The schema */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/schema+json": Record<string, never>;
                };
            };
            503: components["responses"]["E1009"];
        };
    };
    operations_health: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Serving */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Status"];
                };
            };
        };
    };
    operations_live: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Serving */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Status"];
                };
            };
        };
    };
    operations_metrics: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The metrics */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                };
            };
        };
    };
    operations_ready: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Ready */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Readiness"];
                };
            };
            /** @description A required check fails */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Readiness"];
                };
            };
        };
    };
    realtime_upgrade: {
        parameters: {
            query?: {
                /** @description The access token, when no `Authorization` header carries it */
                token?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Switching protocols: the socket is open */
            101: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["E1001"];
            401: components["responses"]["E1002"];
            429: components["responses"]["E1007"];
            500: components["responses"]["E1004"];
            503: components["responses"]["E1009"];
        };
    };
}
