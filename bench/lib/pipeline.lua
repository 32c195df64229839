-- wrk script: sends PIPELINE (env, default 1) requests per write, as TechEmpower's plaintext test
-- does, so one wrk thread can keep a uWS server's core busy.
local depth = tonumber(os.getenv("PIPELINE") or "1")
local batch
init = function(args)
  local r = {}
  for i = 1, depth do r[i] = wrk.format(nil) end
  batch = table.concat(r)
end
request = function() return batch end
