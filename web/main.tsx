// The dashboard: `/` is the live jobs table, `/jobs/ID` a job's page (deep links: each view is
// its own address, loaded whole).
import { render } from 'preact';

import '@xterm/xterm/css/xterm.css';
import './style.css';

import { JobPage } from './job-page.js';
import { JobsTable } from './jobs-table.js';

const match = /^\/jobs\/([^/]+)$/.exec(location.pathname);
const root = document.getElementById('app');
if (root !== null) {
  render(
    match?.[1] === undefined ? <JobsTable /> : <JobPage id={decodeURIComponent(match[1])} />,
    root,
  );
}
