-- KEYS[1] the device hash; ARGV[1] a new version. A hash with every column but
-- no version (written before the layout had one) gets ARGV[1] as its version
-- here, once: a load is the first thing that reads it.
local row = redis.call('HMGET', KEYS[1], 'params', 'secret', 'state', 'version')
if row[1] and row[2] and row[3] and not row[4] then
  redis.call('HSET', KEYS[1], 'version', ARGV[1])
  row[4] = ARGV[1]
end
return row
