// Prints a bearer token for trying the API by hand: npm run token -- --sub alice --role customer
import { parseArgs } from 'node:util';
import { JwtService } from '@nestjs/jwt';
import { loadConfig } from '../config/app-config.js';

const { values } = parseArgs({
  options: {
    sub: { type: 'string' },
    role: { type: 'string', multiple: true },
    hours: { type: 'string', default: '24' },
  },
});
if (!values.sub) {
  process.stderr.write('usage: npm run token -- --sub <customer id> [--role customer] [--role admin] [--hours 24]\n');
  process.exit(2);
}
const config = loadConfig();
const roles = values.role?.length ? values.role : ['customer'];
const token = new JwtService({ secret: config.JWT_SECRET }).sign(
  { sub: values.sub, roles },
  { algorithm: 'HS256', expiresIn: `${Number(values.hours)}h` },
);
process.stdout.write(`${token}\n`);
