-- Shared by every script (prepended to each). ARGV[1] is the key prefix;
-- the names match src/keys.rs. The scripts compute keys they were not
-- given in KEYS, so they need a standalone Redis, not Redis Cluster.
local P = ARGV[1]
local ONLINE = P .. 'online'
local GATEWAYS = P .. 'gateways'
-- Created by the first heartbeat of a table, so a table that lost its data
-- (a Redis restarted empty) is told apart from one that was never used.
local EPOCH = P .. 'epoch'
-- When a gateway that had been alive found the table had forgotten it.
local LOST_AT = P .. 'lost_at'
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function user_key(uid) return P .. 'user:' .. uid end
local function gw_routes_key(gw) return P .. 'gw:' .. gw .. ':routes' end
local function alive_key(gw) return P .. 'gw:' .. gw .. ':alive' end
-- When the gateway last heartbeated (ms), kept as long as its liveness.
local function beat_key(gw) return P .. 'gw:' .. gw .. ':beat' end

-- Dead: it heartbeated once (so it is in GATEWAYS) and its liveness key
-- expired or was deleted. A gateway that never heartbeated is alive.
local function dead(gw)
  return redis.call('SISMEMBER', GATEWAYS, gw) == 1
    and redis.call('EXISTS', alive_key(gw)) == 0
end

-- Removes uid's routes on dead gateways; returns how many are left.
local function prune_user(uid)
  local key = user_key(uid)
  local live = 0
  for _, m in ipairs(redis.call('SMEMBERS', key)) do
    local gw, conn = string.match(m, '^(.*)/(%d+)$')
    if gw and dead(gw) then
      redis.call('SREM', key, m)
      redis.call('SREM', gw_routes_key(gw), conn .. '/' .. uid)
    else
      live = live + 1
    end
  end
  return live
end
