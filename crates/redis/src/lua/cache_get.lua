-- Several reads of the shared cache in one round trip. For read i: KEYS[2i-1]
-- its entries' hash, KEYS[2i] its version; ARGV holds, per read in order,
-- its field count and then its fields. Returns, per read, its version ('0'
-- when never invalidated) and its fields' values (false when absent).
local out = {}
local a = 1
for i = 1, #KEYS, 2 do
  local n = tonumber(ARGV[a])
  local fields = {}
  for j = 1, n do
    fields[j] = ARGV[a + j]
  end
  a = a + n + 1
  local version = redis.call('GET', KEYS[i + 1]) or '0'
  out[#out + 1] = {version, redis.call('HMGET', KEYS[i], unpack(fields))}
end
return out
