//! Places: countries, regions, cities with coordinates.
