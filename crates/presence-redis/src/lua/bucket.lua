-- A token bucket, atomically, in one round trip. ARGV: prefix, user,
-- refill per second, burst. Key `{prefix}rl:send:{user}`, a hash of
-- `tokens` (fractional) and `ts` (last refill, microseconds of the Redis
-- clock: TIME here, so gateways' clocks do not matter). Returns 1 if a
-- token was taken, 0 if the bucket is empty.
local key = P .. 'rl:send:' .. ARGV[2]
local rate, burst = tonumber(ARGV[3]), tonumber(ARGV[4])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local h = redis.call('HMGET', key, 'tokens', 'ts')
local tokens, ts = tonumber(h[1]), tonumber(h[2])
if tokens == nil or ts == nil then
  tokens, ts = burst, now
end
-- A clock that went back refills nothing (and does not move ts back).
if now > ts then
  tokens = math.min(burst, tokens + (now - ts) * rate / 1000000)
  ts = now
end
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', key, 'tokens', tostring(tokens), 'ts', tostring(ts))
-- Gone once it would be full again: a full bucket and no key are the same,
-- so an idle user costs nothing.
redis.call('PEXPIRE', key, math.ceil((burst - tokens) * 1000 / rate) + 1)
return allowed
