-- KEYS[1] the device hash; ARGV: the field to set, its value when read, its new
-- value, the row's version when read, the row's new version.
if redis.call('HGET', KEYS[1], 'version') == ARGV[4]
  and redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[3], 'version', ARGV[5])
  return 1
end
return 0
