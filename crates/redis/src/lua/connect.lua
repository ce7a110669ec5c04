-- ARGV: prefix, user id, gateway, conn. Returns 1 if it is the user's
-- first live route. One script, so racing connects see one first.
local uid, gw, conn = ARGV[2], ARGV[3], ARGV[4]
local live = prune_user(uid)
redis.call('SADD', user_key(uid), gw .. '/' .. conn)
redis.call('SADD', gw_routes_key(gw), conn .. '/' .. uid)
redis.call('ZADD', ONLINE, 0, uid)
if live == 0 then return 1 end
return 0
