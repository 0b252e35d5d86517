import { defineConfig } from 'drizzle-kit';

// drizzle-kit reads the tables from src/store/tables and writes SQL migrations to drizzle/.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/store/tables/index.ts',
  out: './drizzle',
});
