-- ARGV: prefix, gateway. Makes the gateway dead (known, no liveness key);
-- `purge` then removes its routes.
local gw = ARGV[2]
redis.call('DEL', alive_key(gw), beat_key(gw))
redis.call('SADD', GATEWAYS, gw)
return 0
