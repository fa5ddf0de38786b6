-- wrk script: replays pre-signed requests, one per line of the file given after `--`
-- (each line a JSON string holding the raw HTTP/1.1 request). Every wrk thread takes its
-- own share of the lines, so no request (and no SignatureNonce) is sent twice.
--   wrk -t2 -c64 -d8s -s replay.lua http://127.0.0.1:PORT/ -- FILE THREADS [cycle]
-- With `cycle` (for a server that checks no signature) a thread that runs out starts over.
local count = 0
function setup(thread)
  count = count + 1
  thread:set("index", count)
end

local function unescape(line)
  local s = line:sub(2, -2)
  s = s:gsub('\\(.)', { r = '\r', n = '\n', ['"'] = '"', ['\\'] = '\\' })
  return s
end

-- Lines are read as requests are sent, not loaded in init: wrk runs each thread's init on its
-- main thread before starting the next thread, so a thread loading a large file would let the
-- threads started before it send (and count) requests outside the measured duration.
function init(args)
  path, threads = args[1], tonumber(args[2])
  cycle = args[3] == "cycle"
  n = 0
end

-- This thread's next line (every `threads`-th line of the file), or nil when none is left.
local function next_line()
  while true do
    local line = file:read("*l")
    if not line then
      if not cycle or n == 0 then return nil end
      file:close()
      file, n = io.open(path), 0
      line = file:read("*l")
      if not line then return nil end
    end
    n = n + 1
    if (n - 1) % threads == index - 1 then return unescape(line) end
  end
end

function request()
  file = file or assert(io.open(path))
  local line = next_line()
  if not line then
    -- Out of unique requests: stop this thread rather than replay a nonce.
    wrk.thread:stop()
    return last
  end
  last = line
  return line
end
