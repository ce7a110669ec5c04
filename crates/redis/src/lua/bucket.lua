-- Token buckets, atomically, in one round trip for a batch of sends.
-- ARGV: prefix, refill per second, burst, then one user id per send (a
-- user may appear several times: each takes its own token, in order).
-- Key `{prefix}rl:send:{user}`, a hash of `tokens` (fractional) and `ts`
-- (last refill, microseconds of the Redis clock: TIME here, so gateways'
-- clocks do not matter). Returns, per send in order, 1 if a token was
-- taken, 0 if the bucket was empty.
local rate, burst = tonumber(ARGV[2]), tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
-- Each user's bucket, read once and written once per batch.
local buckets, order = {}, {}
local answers = {}
for i = 4, #ARGV do
  local user = ARGV[i]
  local b = buckets[user]
  if b == nil then
    local key = P .. 'rl:send:' .. user
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
    b = {key = key, tokens = tokens, ts = ts}
    buckets[user] = b
    order[#order + 1] = b
  end
  if b.tokens >= 1 then
    b.tokens = b.tokens - 1
    answers[#answers + 1] = 1
  else
    answers[#answers + 1] = 0
  end
end
for _, b in ipairs(order) do
  redis.call('HSET', b.key, 'tokens', tostring(b.tokens), 'ts', tostring(b.ts))
  -- Gone once it would be full again: a full bucket and no key are the
  -- same, so an idle user costs nothing.
  redis.call('PEXPIRE', b.key, math.ceil((burst - b.tokens) * 1000 / rate) + 1)
end
return answers
