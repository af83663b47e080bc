// The demo page's script: it points the iframes at this site (with this page's origin in
// their allow-list), drives the second one through postMessage, and renders a trace with
// the JavaScript API. A documentation site would hard-code the iframe addresses.
import init, { trace } from './vpcsim-wasm.js';

const origin = location.origin;
for (const frame of document.querySelectorAll('iframe[data-src]')) {
  frame.src = `${frame.dataset.src}&origins=${encodeURIComponent(origin)}`;
}

// Events from the playgrounds.
const events = document.getElementById('events');
const worked = document.getElementById('worked');
window.addEventListener('message', (e) => {
  if (e.origin !== origin || !e.data || typeof e.data.type !== 'string') return;
  const from = e.source === worked.contentWindow ? 'worked' : 'lesson';
  document.body.dataset[`${from}Last`] = e.data.type;
  if (e.data.type === 'vpcsim:resize' && from === 'worked') worked.style.height = `${e.data.height}px`;
  if (e.data.type === 'vpcsim:verdict') {
    document.body.dataset[`${from}Verdict`] = e.data.reachable ? 'reachable' : 'blocked';
    if (from === 'worked') events.textContent = `verdict: ${e.data.summary}`;
  }
});
const send = (probe) => worked.contentWindow.postMessage({ type: 'vpcsim:send', probe }, origin);
document.getElementById('send-https').addEventListener('click', () => send('HTTPS from the web app'));
document.getElementById('send-ssh').addEventListener('click', () => send('SSH from the web app'));
document.getElementById('send-custom').addEventListener('click', () =>
  send({ from: 'internet', to: 'sagemaker:endpoint/churn-model', protocol: 'tcp', port: 443 }));

// The JavaScript API: a trace rendered as a table.
const scenario = {
  vpcsim: 1,
  name: 'Client and model server, ACL without ephemeral ports',
  network: {
    region: 'us-east-1',
    vpcs: [{ id: 'vpc-ml', cidr_blocks: ['10.0.0.0/16'] }],
    subnets: [
      { id: 'subnet-client', vpc: 'vpc-ml', cidr: '10.0.0.0/24', az: 'us-east-1a' },
      { id: 'subnet-model', vpc: 'vpc-ml', cidr: '10.0.1.0/24', az: 'us-east-1a' },
    ],
    network_acls: [{
      id: 'acl-model', vpc: 'vpc-ml', subnets: ['subnet-model'],
      inbound: [{ rule: 100, action: 'allow', protocol: 'tcp', ports: '443', cidr: '10.0.0.0/16' }],
      outbound: [{ rule: 100, action: 'allow', protocol: 'tcp', ports: '443', cidr: '10.0.0.0/16' }],
    }],
    security_groups: [
      { id: 'sg-client', vpc: 'vpc-ml', inbound: [], outbound: [{ protocol: 'all', cidr: '0.0.0.0/0' }] },
      { id: 'sg-model', vpc: 'vpc-ml', inbound: [{ protocol: 'tcp', ports: '443', sg: 'sg-client' }], outbound: [] },
    ],
    instances: [
      { id: 'i-client', subnet: 'subnet-client', private_ip: '10.0.0.10', security_groups: ['sg-client'] },
      { id: 'i-model', subnet: 'subnet-model', private_ip: '10.0.1.10', security_groups: ['sg-model'] },
    ],
  },
};

function cell(row, text, cls) {
  const td = document.createElement('td');
  td.textContent = text ?? '';
  if (cls) td.className = cls;
  row.appendChild(td);
}

async function renderApiTable() {
  const out = document.getElementById('api-table');
  try {
    await init();
    const result = trace(scenario, { from: 'i-client', to: 'i-model', protocol: 'tcp', port: 443 });
    if (result.type !== 'success') {
      out.textContent = result.errors.map((e) => `${e.code} at ${e.at}: ${e.message}`).join('\n');
      return;
    }
    const table = document.createElement('table');
    table.id = 'api-trace';
    table.innerHTML = '<thead><tr><th>Leg</th><th>Hop</th><th>Layer</th><th>Component</th><th>Verdict</th><th>Rule</th></tr></thead>';
    const body = document.createElement('tbody');
    for (const [leg, data] of [['request', result.trace.request], ['response', result.trace.response]]) {
      if (!data) continue;
      for (const hop of data.hops) {
        for (const check of hop.checks) {
          const row = document.createElement('tr');
          cell(row, leg); cell(row, hop.node); cell(row, check.kind); cell(row, check.component);
          cell(row, check.verdict, check.verdict); cell(row, check.rule ?? '(none)');
          body.appendChild(row);
        }
      }
    }
    table.appendChild(body);
    const verdict = document.createElement('p');
    verdict.id = 'api-verdict';
    const drop = result.trace.response?.dropped_at ?? result.trace.request.dropped_at;
    verdict.textContent = result.trace.reachable ? 'Reachable.' : `Not reachable: dropped at ${drop.kind} ${drop.component} (${drop.reason}).`;
    out.replaceChildren(table, verdict);
  } catch (e) {
    out.textContent = `The API failed: ${e}`;
  }
}
renderApiTable();
