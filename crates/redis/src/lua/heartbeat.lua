-- ARGV: prefix, gateway, ttl in ms, and 1 if this gateway had beaten
-- before in this process. Returns 1 if the gateway was alive (its
-- liveness key was there), 0 if this starts it afresh: its liveness key
-- then says 'restoring:<ms>' until `ready.lua` marks its routes restored,
-- and if it had been alive before, the table lost its routes: LOST_AT.
local gw, ttl, beaten = ARGV[2], ARGV[3], ARGV[4]
local now = now_ms()
if redis.call('EXISTS', EPOCH) == 0 then
  redis.call('SET', EPOCH, now)
end
redis.call('SADD', GATEWAYS, gw)
redis.call('SET', beat_key(gw), now, 'PX', ttl)
local key = alive_key(gw)
if redis.call('EXISTS', key) == 1 then
  redis.call('PEXPIRE', key, ttl)
  return 1
end
redis.call('SET', key, 'restoring:' .. now, 'PX', ttl)
if beaten == '1' then
  redis.call('SET', LOST_AT, now)
end
return 0
