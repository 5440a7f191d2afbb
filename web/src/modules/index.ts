import adjustments from './adjustments';
import auth from './auth';
import counts from './counts';
import type { ModuleDefinition } from './define-module';
import home from './home';
import receiving from './receiving';
import reports from './reports';
import sales from './sales';
import settings from './settings';
import transfers from './transfers';

/** Every console feature, in top-bar order. A new feature is one folder and one line here. */
export const modules: readonly ModuleDefinition[] = [auth, home, settings, receiving, transfers, adjustments, counts, sales, reports];

export function findModule(id: string | undefined): ModuleDefinition | undefined {
  return modules.find((module) => module.id === id);
}
