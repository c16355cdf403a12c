import { launchChromium } from '../tests/helpers/browser.ts';
import { startTestServer } from '../tests/helpers/server.ts';
import { enrolPerson } from '../tests/helpers/gallery.ts';
import sharp from 'sharp';
import { labelledFaces } from './data.ts';
const server = await startTestServer();
for (const [name, files] of labelledFaces()) {
  const id = await enrolPerson(server.url, name, []);
  for (const f of files.slice(1)) await fetch(`${server.url}/api/people/${id}/faces`, { method: 'POST', body: new Uint8Array(await sharp(f).extend({ top: 75, bottom: 75, left: 75, right: 75, background: '#888' }).jpeg().toBuffer()), headers: { 'content-type': 'image/jpeg' } });
}
const b = await launchChromium({ cameraFile: '/work/shared/data/video/dev_faces_640x480_8fps.y4m' });
const p = await b.newPage();
const t0 = Date.now();
p.on('console', (m) => { if (m.text().startsWith('DBG')) console.log(((Date.now() - t0) / 1000).toFixed(2), m.text()); });
await p.goto(server.url + '/?saver=1');
await p.waitForTimeout(14000);
await b.close(); await server.stop();
