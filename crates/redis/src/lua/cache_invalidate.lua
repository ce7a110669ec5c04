-- KEYS: hash, version, hash, version, ... ARGV[1]: how long a version is
-- kept (ms), longer than any entry lives or any read takes.
-- Deletes each hash and moves its version on, so a fill with a ticket
-- taken before this is refused.
for i = 1, #KEYS, 2 do
    redis.call('DEL', KEYS[i])
    redis.call('INCR', KEYS[i + 1])
    redis.call('PEXPIRE', KEYS[i + 1], ARGV[1])
end
return 1
