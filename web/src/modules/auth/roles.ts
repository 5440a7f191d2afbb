import type { Role } from '@/gql/graphql';

const ROLE_LABELS: Record<Role, string> = {
  ADMIN: 'Admin',
  MERCHANDISER: 'Merchandiser',
  STORE_MANAGER: 'Store manager',
  CLERK: 'Clerk',
  REPORT_VIEWER: 'Report viewer',
};

export function roleLabel(role: Role): string {
  return ROLE_LABELS[role];
}
