// Jest setup provided by Grafana scaffolding
import './.config/jest-setup';

// React 19's react-dom/server (which @grafana/ui 13 loads for TruncatedText) creates a MessageChannel to
// schedule work, and jsdom has none. Node's would keep the test process alive (a port with a listener is
// ref'd), so a channel that delivers on a timer, which is all React's scheduler needs.
if (typeof window !== 'undefined' && typeof MessageChannel === 'undefined') {
  global.MessageChannel = class MessageChannel {
    constructor() {
      const port = () => ({ onmessage: null, postMessage: undefined, close() {} });
      this.port1 = port();
      this.port2 = port();
      const link = (from, to) => {
        from.postMessage = (data) => setTimeout(() => to.onmessage && to.onmessage({ data }), 0);
      };
      link(this.port1, this.port2);
      link(this.port2, this.port1);
    }
  };
}
