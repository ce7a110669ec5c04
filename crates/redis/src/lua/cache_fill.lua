-- KEYS[1]: the entries' hash, KEYS[2]: its version. ARGV[1]: the version
-- the caller read before reading the store, ARGV[2]: time-to-live in ms,
-- ARGV[3..]: field, value, field, value, ...
-- Stores nothing if the key was invalidated since: the caller's values
-- may be from before that change.
if (redis.call('GET', KEYS[2]) or '0') ~= ARGV[1] then
    return 0
end
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
-- The first fill sets the expiry; later fields share it, so no entry
-- outlives its key's time-to-live.
if redis.call('PTTL', KEYS[1]) < 0 then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 1
