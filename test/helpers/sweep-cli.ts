import { sweep } from './sweep.js';

const res = await sweep();
console.log(
  `swept ${res.domains.length} domain(s) ${res.domains.join(' ')}; ${res.dirs.length} dir(s) ${res.dirs.join(' ')}`,
);
