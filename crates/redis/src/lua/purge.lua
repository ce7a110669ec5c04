-- ARGV: prefix, gateway, batch. Removes up to `batch` routes of a dead
-- gateway; returns how many are left (0 also when it is alive). Batches
-- keep each script short: Redis runs nothing else while one runs.
local gw, batch = ARGV[2], tonumber(ARGV[3])
if not dead(gw) then return 0 end
local key = gw_routes_key(gw)
for _, m in ipairs(redis.call('SPOP', key, batch)) do
  local conn, uid = string.match(m, '^(%d+)/(.*)$')
  if conn then
    local ukey = user_key(uid)
    redis.call('SREM', ukey, gw .. '/' .. conn)
    if redis.call('EXISTS', ukey) == 0 then
      redis.call('ZREM', ONLINE, uid)
    end
  end
end
return redis.call('SCARD', key)
