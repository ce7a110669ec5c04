-- ARGV: prefix, gateway, then (conn, user id) pairs. Records each route;
-- idempotent, and answers nothing about first or last.
local gw = ARGV[2]
for i = 3, #ARGV, 2 do
  local conn, uid = ARGV[i], ARGV[i + 1]
  redis.call('SADD', user_key(uid), gw .. '/' .. conn)
  redis.call('SADD', gw_routes_key(gw), conn .. '/' .. uid)
  redis.call('ZADD', ONLINE, 0, uid)
end
return 0
