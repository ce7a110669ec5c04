-- ARGV: prefix, settle in ms. Returns 0 if routes read before this call
-- were complete, else how many ms to wait before reading them again:
-- - no EPOCH: the table lost its data and no gateway has beaten since;
-- - LOST_AT younger than settle: a gateway found the table had forgotten
--   it, and the others may not have beaten since (each beats well within
--   settle);
-- - a live gateway still restoring (for less than settle: one that died
--   mid-restore is not waited for).
local settle = tonumber(ARGV[2])
local now = now_ms()
if redis.call('EXISTS', EPOCH) == 0 then
  return math.min(100, settle)
end
local lost = tonumber(redis.call('GET', LOST_AT) or '')
if lost and now - lost < settle then
  return settle - (now - lost)
end
for _, gw in ipairs(redis.call('SMEMBERS', GATEWAYS)) do
  local state = redis.call('GET', alive_key(gw))
  local since = state and tonumber(string.match(state, '^restoring:(%d+)$'))
  if since and now - since < settle then
    return math.min(100, settle)
  end
end
return 0
