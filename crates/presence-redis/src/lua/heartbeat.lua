-- ARGV: prefix, gateway, ttl in ms. Returns 1 if the gateway was alive
-- (its liveness key was there), 0 if this starts it afresh.
local gw, ttl = ARGV[2], ARGV[3]
local was = redis.call('EXISTS', alive_key(gw))
redis.call('SET', alive_key(gw), '1', 'PX', ttl)
redis.call('SADD', GATEWAYS, gw)
return was
