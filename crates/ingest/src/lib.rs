//! Sources: files, directories, standard input → Documents.
