/** The HTML of `/live`: subscribes to the event stream and renders a heavy Mandelbrot beside it on demand. */
import { page } from '../site/html.js';

export const livePageHTML: string = page(
  'Live clock',
  `
<dl class="stats">
<div><dt>server time</dt><dd id="clock">waiting for the first tick…</dd></div>
<div><dt>requests received</dt><dd id="requests">–</dd></div>
<div><dt>ticks received</dt><dd id="ticks">0</dd></div>
<div><dt>longest gap between ticks</dt><dd id="gap">–</dd></div>
</dl>
<p>Press the button: the Mandelbrot renders synchronously on the application's executor. On the thread pool the
clock keeps ticking; with <code>--executor inline</code> the whole event loop is busy, and the ticks stop until
the picture is done.</p>
<div class="actions"><button id="render" type="button">Render a heavy Mandelbrot (1600×1200, 3000 iterations)</button>
<span id="render-status" class="note" role="status"></span></div>
<p><img class="picture" id="picture" alt="A heavy Mandelbrot, rendered on demand" hidden></p>
<script>
  const clock = document.getElementById('clock');
  const requests = document.getElementById('requests');
  const ticks = document.getElementById('ticks');
  const gap = document.getElementById('gap');
  let count = 0;
  let last = 0;
  let longest = 0;
  const events = new EventSource('/live/events');
  events.addEventListener('tick', (event) => {
    const tick = JSON.parse(event.data);
    const now = performance.now();
    if (last) longest = Math.max(longest, now - last);
    last = now;
    // The time of day is what moves; the whole timestamp is in the tooltip.
    clock.textContent = tick.time.slice(11, 19) + ' UTC';
    clock.title = tick.time;
    requests.textContent = String(tick.requests);
    ticks.textContent = String(++count);
    gap.textContent = last && count > 1 ? (longest / 1000).toFixed(1) + ' s' : '–';
  });
  const picture = document.getElementById('picture');
  const status = document.getElementById('render-status');
  document.getElementById('render').addEventListener('click', () => {
    const started = performance.now();
    status.textContent = 'rendering…';
    picture.onload = () => {
      status.textContent = 'rendered in ' + ((performance.now() - started) / 1000).toFixed(1) + ' s';
      picture.hidden = false;
    };
    picture.onerror = () => { status.textContent = 'the picture failed to load'; };
    picture.src = '/mandelbrot.png?width=1600&height=1200&iterations=3000&t=' + Date.now();
  });
</script>`,
  {
    current: '/live',
    lead: `A native async handler (<code>(request) =&gt; …</code> writing to <code>request.connection</code>)
      streams server-sent events: a tick a second with the server's clock and how many requests it has received.
      It shares the router with the gateway application.`,
  },
);
