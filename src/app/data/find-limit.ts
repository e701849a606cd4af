/**
 * pouchdb-find returns 25 results unless told otherwise; a tablet holds one inspector's
 * work, so local queries ask for everything up to this bound.
 */
export const LOCAL_FIND_LIMIT = 100_000;
