-- ARGV: prefix, gateway. The gateway has put back every route it holds
-- after a heartbeat that started it afresh.
local key = alive_key(ARGV[2])
if redis.call('EXISTS', key) == 1 then
  redis.call('SET', key, 'ready', 'KEEPTTL')
end
return 0
