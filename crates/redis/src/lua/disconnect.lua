-- ARGV: prefix, user id, gateway, conn. Returns 1 if this removed the
-- user's last live route. Pruning comes first, so a route on a dead
-- gateway is never the one that makes a user go offline.
local uid, gw, conn = ARGV[2], ARGV[3], ARGV[4]
local live = prune_user(uid)
local removed = redis.call('SREM', user_key(uid), gw .. '/' .. conn)
redis.call('SREM', gw_routes_key(gw), conn .. '/' .. uid)
if live - removed == 0 then
  redis.call('ZREM', ONLINE, uid)
  return removed
end
return 0
