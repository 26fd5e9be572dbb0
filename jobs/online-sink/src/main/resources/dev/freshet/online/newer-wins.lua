-- Writes one feature view's values into one entity's hash in Feast's layout, unless the hash
-- already holds that feature view's values of a strictly newer event time. One script per row, so
-- that reading the stored time and writing happen atomically: no other write to the hash can
-- slip in between, which Feast's own read-then-write cannot promise.
--
-- KEYS[1]   the entity's hash: serialized entity key followed by the project
-- ARGV[1]   the feature view's timestamp field, "_ts:<feature view>"
-- ARGV[2]   the row's event time as a serialized google.protobuf.Timestamp
-- ARGV[3]   the row's event time in epoch milliseconds (never negative)
-- ARGV[4]   milliseconds until Redis expires the whole hash; 0 leaves the expiry alone
-- ARGV[5..] feature field, serialized feast.types.Value, feature field, value, ...
--
-- Returns 1 when it wrote, 0 when it skipped the row as older.

-- The base-128 varint at position pos of bytes: its value and the position after it.
local function varint(bytes, pos)
  local value, scale = 0, 1
  while true do
    local byte = string.byte(bytes, pos)
    if byte == nil then
      error('truncated varint in field ' .. ARGV[1])
    end
    value = value + (byte % 128) * scale
    pos = pos + 1
    if byte < 128 then
      return value, pos
    end
    scale = scale * 128
  end
end

-- Epoch milliseconds of a serialized google.protobuf.Timestamp: field 1 (seconds) and field 2
-- (nanos), both varints, either one absent when zero. Lua numbers are doubles, exact far beyond
-- the milliseconds of any realistic date.
local function epochMillis(timestamp)
  local seconds, nanos, pos = 0, 0, 1
  while pos <= #timestamp do
    local tag
    tag, pos = varint(timestamp, pos)
    if tag == 8 then
      seconds, pos = varint(timestamp, pos)
    elseif tag == 16 then
      nanos, pos = varint(timestamp, pos)
    else
      error('unexpected protobuf tag ' .. tag .. ' in field ' .. ARGV[1])
    end
  end
  if seconds >= 2 ^ 63 then
    -- a negative int64 as a varint: a time before 1970, older than any row the sink writes
    return -1
  end
  return seconds * 1000 + math.floor(nanos / 1000000)
end

local stored = redis.call('HGET', KEYS[1], ARGV[1])
if stored and epochMillis(stored) > tonumber(ARGV[3]) then
  return 0
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2], unpack(ARGV, 5))
if tonumber(ARGV[4]) > 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
end
return 1
