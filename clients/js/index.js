// AgentTheo's JavaScript client: the module the web UI itself uses (served by
// the server at /agenttheo-stream.js), re-exported for bundlers and Node.
export {
  EVENT_TYPES, EventStream, runEnded, sessionEnded, withParam,
} from '../../web/agenttheo-stream.js';
export { useAgentStream } from './use-agent-stream.js';
