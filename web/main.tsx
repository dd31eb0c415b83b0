// The dashboard: `/` is the live jobs table, `/jobs/ID` a job's page, `/processes`, `/services`
// and `/agents` the other views (deep links: each view is its own address, loaded whole).
import { render, type JSX } from 'preact';

import '@xterm/xterm/css/xterm.css';
import './style.css';

import { AgentsView } from './agents-view.js';
import { JobPage } from './job-page.js';
import { JobsTable } from './jobs-table.js';
import { ProcessesView } from './processes-view.js';
import { ServicesView } from './services-view.js';
import { WorkersView } from './workers-view.js';

function view(path: string): JSX.Element {
  const job = /^\/jobs\/([^/]+)$/.exec(path)?.[1];
  if (job !== undefined) return <JobPage id={decodeURIComponent(job)} />;
  if (path === '/processes') return <ProcessesView />;
  if (path === '/services') return <ServicesView />;
  if (path === '/agents') return <AgentsView />;
  if (path === '/workers') return <WorkersView />;
  return <JobsTable />;
}

const root = document.getElementById('app');
if (root !== null) render(view(location.pathname), root);
