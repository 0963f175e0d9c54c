import { useEffect, useState } from 'react';
import { setUnauthorizedHandler } from '../client/http.ts';
import { clearApiKey, loadApiKey, saveApiKey } from '../client/session.ts';
import { JourneyEditor } from '../canvas/JourneyEditor.tsx';
import { Gallery } from '../journeys/Gallery.tsx';
import { JourneyList } from '../journeys/JourneyList.tsx';
import { LoginScreen } from './LoginScreen.tsx';
import { CampaignsPage } from '../console/campaigns/CampaignsPage.tsx';
import { CustomerPage } from '../console/customers/CustomerPage.tsx';
import { CustomerSearch } from '../console/customers/CustomerSearch.tsx';
import { DashboardsPage } from '../console/dashboards/DashboardsPage.tsx';
import { TaskInbox } from '../console/tasks/TaskInbox.tsx';
import { SegmentBuilder } from '../segments/SegmentBuilder.tsx';
import { SegmentsPage } from '../segments/SegmentsPage.tsx';
import { TemplatesPage } from '../templates/TemplatesPage.tsx';
import { TemplateStudio } from '../templates/TemplateStudio.tsx';
import { TopNav } from './TopNav.tsx';
import { sectionOf, useRoute } from './route.ts';
import type { Route } from './route.ts';

function Screen({ route }: { route: Route }) {
  switch (route.screen) {
    case 'journeys':
      return <JourneyList />;
    case 'gallery':
      return <Gallery />;
    case 'journey':
      return <JourneyEditor key={route.journeyId} journeyId={route.journeyId} />;
    case 'campaigns':
      return <CampaignsPage />;
    case 'tasks':
      return <TaskInbox />;
    case 'customers':
      return <CustomerSearch />;
    case 'customer':
      return <CustomerPage key={route.customerId} customerId={route.customerId} />;
    case 'dashboards':
      return <DashboardsPage />;
    case 'templates':
      return <TemplatesPage />;
    case 'template':
      return <TemplateStudio key={`${route.templateId}${route.copy ? '/copy' : ''}`} target={{ mode: route.copy ? 'copy' : 'edit', templateId: route.templateId }} />;
    case 'newTemplate':
      return <TemplateStudio key={`new/${route.channel}`} target={{ mode: 'new', channel: route.channel }} />;
    case 'segments':
      return <SegmentsPage />;
    case 'segment':
      return <SegmentBuilder key={route.segmentId ?? 'new'} segmentId={route.segmentId} />;
  }
}

/** The app shell: the API key screen until a key is known, then the top navigation and a screen. */
export function App() {
  const [apiKey, setApiKey] = useState(loadApiKey);
  const route = useRoute();
  useEffect(() => {
    setUnauthorizedHandler(() => {
      clearApiKey();
      setApiKey(null);
    });
  }, []);
  if (!apiKey) {
    return (
      <LoginScreen
        onSignIn={(key) => {
          saveApiKey(key);
          setApiKey(key);
        }}
      />
    );
  }
  return (
    <div className="app">
      <TopNav
        section={sectionOf(route)}
        onSignOut={() => {
          clearApiKey();
          setApiKey(null);
        }}
      />
      <main className="app-main">
        <Screen route={route} />
      </main>
    </div>
  );
}
