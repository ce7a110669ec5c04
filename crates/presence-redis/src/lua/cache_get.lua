-- KEYS[1]: the entries' hash, KEYS[2]: its version. ARGV: the fields.
-- Returns the version ('0' when never invalidated) and the fields'
-- values (false when absent), in one round trip.
local version = redis.call('GET', KEYS[2]) or '0'
return {version, redis.call('HMGET', KEYS[1], unpack(ARGV))}
