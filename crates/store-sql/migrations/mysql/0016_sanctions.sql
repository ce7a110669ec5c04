-- Administrators' sanctions short of disabling an account: muted_until,
-- the user's sends are refused everywhere until then; world_banned_until,
-- the user neither reads nor writes the world room until then (the
-- largest BIGINT: until lifted; NULL or past: none). The index lets the
-- world room's fan-out read the few users banned now without a scan.
ALTER TABLE users
    ADD COLUMN muted_until BIGINT,
    ADD COLUMN world_banned_until BIGINT;
CREATE INDEX users_world_banned ON users(world_banned_until);
