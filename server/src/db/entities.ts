import { Register, Store, Venue } from '../modules/locations/location.entities.js';
import { User, UserSession } from '../modules/auth/user.entity.js';
import { Classification, Item, ItemUpc, Vendor } from '../modules/catalog/catalog.entities.js';

/** Every MikroORM entity. Modules append theirs here. */
export const entities = [Venue, Store, Register, User, UserSession, Vendor, Classification, Item, ItemUpc];
