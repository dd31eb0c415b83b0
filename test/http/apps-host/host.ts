// A minimal MCP Apps host for the browser tests, run in the test's page: it shows a view in a
// sandboxed frame (scripts only: an opaque origin, no same-origin access), speaks the Apps bridge
// to it (postMessage JSON-RPC, the official AppBridge) and relays the view's tool calls to the
// test (`relayTool`, which calls the real MCP server through a real MCP client).
import {
  AppBridge,
  PostMessageTransport,
  type McpUiToolResultNotification,
} from '@modelcontextprotocol/ext-apps/app-bridge';

type ToolResult = McpUiToolResultNotification['params'];
type ToolCall = { name: string; arguments?: Record<string, unknown> };

declare global {
  interface Window {
    relayTool: (call: ToolCall) => Promise<ToolResult>;
    openView: (html: string, input: Record<string, unknown>, result: ToolResult) => Promise<void>;
  }
}

window.openView = async (html, input, result) => {
  const frame = document.createElement('iframe');
  frame.setAttribute('sandbox', 'allow-scripts');
  frame.style.cssText = 'width: 900px; height: 600px; border: 1px solid #888';
  document.body.append(frame);
  const view = frame.contentWindow!;
  const bridge = new AppBridge(
    null,
    { name: 'bgjobs test host', version: '0' },
    { serverTools: {} },
  );
  bridge.oncalltool = (params) => window.relayTool(params);
  const initialized = new Promise<void>((resolve) => {
    bridge.oninitialized = () => resolve();
  });
  await bridge.connect(new PostMessageTransport(view, view));
  frame.srcdoc = html;
  await initialized;
  await bridge.sendToolInput({ arguments: input });
  await bridge.sendToolResult(result);
};
