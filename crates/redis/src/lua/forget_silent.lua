-- ARGV: prefix, gateway, silent in ms. Another source (discovery) says the
-- gateway is gone: make it dead as `forget.lua` does, but only if it has
-- not heartbeated for `silent` ms either; a gateway still beating keeps
-- its routes. Returns 1 if it was made dead, 0 if not.
local gw, silent = ARGV[2], tonumber(ARGV[3])
local beat = tonumber(redis.call('GET', beat_key(gw)) or '')
if beat and now_ms() - beat < silent then
  return 0
end
redis.call('DEL', alive_key(gw), beat_key(gw))
redis.call('SADD', GATEWAYS, gw)
return 1
