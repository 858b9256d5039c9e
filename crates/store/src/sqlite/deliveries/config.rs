//! Destinations and connections: one row each, settings and rules as JSON; a delete stamps
//! `deleted_at` (the id is never reused), and deleting a destination deletes its
//! connections with it.

use rusqlite::{params, Connection as Db, OptionalExtension, Row};

use super::super::columns::{json, now_ms, to_json};
use crate::{
    deliveries::{new_id, Connection, Destination, NewConnection, NewDestination},
    sources::new_signing_secret,
    StoreError,
};

const DESTINATION: &str =
    "id, tenant, name, settings, signing_secret, disabled_reason, created_at, updated_at";
const CONNECTION: &str =
    "id, tenant, name, source_id, destination_id, rules, enabled, created_at, updated_at";

fn destination(row: &Row<'_>) -> rusqlite::Result<Destination> {
    Ok(Destination {
        id: row.get(0)?,
        tenant: row.get(1)?,
        name: row.get(2)?,
        settings: json(row, 3)?,
        signing_secret: row.get(4)?,
        disabled_reason: row.get(5)?,
        created_at: row.get(6)?,
        updated_at: row.get(7)?,
    })
}

fn connection(row: &Row<'_>) -> rusqlite::Result<Connection> {
    Ok(Connection {
        id: row.get(0)?,
        tenant: row.get(1)?,
        name: row.get(2)?,
        source_id: row.get(3)?,
        destination_id: row.get(4)?,
        rules: json(row, 5)?,
        enabled: row.get(6)?,
        created_at: row.get(7)?,
        updated_at: row.get(8)?,
    })
}

pub fn create_destination(db: &mut Db, new: NewDestination) -> Result<Destination, StoreError> {
    let now = now_ms();
    let created = Destination {
        id: new_id("dst_"),
        tenant: new.tenant,
        name: new.name,
        settings: new.settings,
        signing_secret: new_signing_secret(),
        disabled_reason: None,
        created_at: now,
        updated_at: now,
    };
    db.execute(
        &format!(
            "INSERT INTO destinations ({DESTINATION}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
        ),
        params![
            created.id,
            created.tenant,
            created.name,
            to_json(&created.settings)?,
            created.signing_secret,
            created.disabled_reason,
            created.created_at,
            created.updated_at
        ],
    )?;
    Ok(created)
}

/// Destinations of `tenant` (every tenant's when `None`), oldest first.
pub fn destinations(db: &mut Db, tenant: Option<&str>) -> Result<Vec<Destination>, StoreError> {
    let sql = format!(
        "SELECT {DESTINATION} FROM destinations
         WHERE (?1 IS NULL OR tenant = ?1) AND deleted_at IS NULL ORDER BY created_at, id"
    );
    let mut stmt = db.prepare_cached(&sql)?;
    let rows = stmt.query_map([tenant], destination)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn find_destination(
    db: &mut Db,
    id: &str,
    tenant: Option<&str>,
) -> Result<Option<Destination>, StoreError> {
    let sql = format!(
        "SELECT {DESTINATION} FROM destinations
         WHERE id = ?1 AND (?2 IS NULL OR tenant = ?2) AND deleted_at IS NULL"
    );
    Ok(db
        .prepare_cached(&sql)?
        .query_row(params![id, tenant], destination)
        .optional()?)
}

pub fn save_destination(db: &mut Db, mut saved: Destination) -> Result<Destination, StoreError> {
    saved.updated_at = now_ms();
    let changed = db.execute(
        "UPDATE destinations SET name = ?3, settings = ?4, disabled_reason = ?5, updated_at = ?6
         WHERE id = ?1 AND tenant = ?2 AND deleted_at IS NULL",
        params![
            saved.id,
            saved.tenant,
            saved.name,
            to_json(&saved.settings)?,
            saved.disabled_reason,
            saved.updated_at
        ],
    )?;
    if changed == 0 {
        return Err(StoreError::NotFound(format!("destination `{}`", saved.id)));
    }
    Ok(saved)
}

pub fn delete_destination(db: &mut Db, tenant: &str, id: &str) -> Result<(), StoreError> {
    let now = now_ms();
    let tx = db.transaction()?;
    let changed = tx.execute(
        "UPDATE destinations SET deleted_at = ?3
         WHERE id = ?1 AND tenant = ?2 AND deleted_at IS NULL",
        params![id, tenant, now],
    )?;
    if changed == 0 {
        return Err(StoreError::NotFound(format!("destination `{id}`")));
    }
    tx.execute(
        "UPDATE connections SET deleted_at = ?2 WHERE destination_id = ?1 AND deleted_at IS NULL",
        params![id, now],
    )?;
    tx.commit()?;
    Ok(())
}

pub fn create_connection(db: &mut Db, new: NewConnection) -> Result<Connection, StoreError> {
    if find_destination(db, &new.destination_id, Some(&new.tenant))?.is_none() {
        return Err(StoreError::NotFound(format!(
            "destination `{}`",
            new.destination_id
        )));
    }
    let now = now_ms();
    let created = Connection {
        id: new_id("con_"),
        tenant: new.tenant,
        name: new.name,
        source_id: new.source_id,
        destination_id: new.destination_id,
        rules: new.rules,
        enabled: new.enabled,
        created_at: now,
        updated_at: now,
    };
    db.execute(
        &format!(
            "INSERT INTO connections ({CONNECTION}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
        ),
        params![
            created.id,
            created.tenant,
            created.name,
            created.source_id,
            created.destination_id,
            to_json(&created.rules)?,
            created.enabled,
            created.created_at,
            created.updated_at
        ],
    )?;
    Ok(created)
}

/// Connections of `tenant` (every tenant's when `None`), only enabled ones when asked.
pub fn connections(
    db: &mut Db,
    tenant: Option<&str>,
    enabled_only: bool,
) -> Result<Vec<Connection>, StoreError> {
    let sql = format!(
        "SELECT {CONNECTION} FROM connections
         WHERE (?1 IS NULL OR tenant = ?1) AND (?2 = 0 OR enabled = 1) AND deleted_at IS NULL
         ORDER BY created_at, id"
    );
    let mut stmt = db.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![tenant, enabled_only], connection)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn find_connection(
    db: &mut Db,
    id: &str,
    tenant: &str,
) -> Result<Option<Connection>, StoreError> {
    let sql = format!(
        "SELECT {CONNECTION} FROM connections WHERE id = ?1 AND tenant = ?2 AND deleted_at IS NULL"
    );
    Ok(db
        .prepare_cached(&sql)?
        .query_row(params![id, tenant], connection)
        .optional()?)
}

pub fn save_connection(db: &mut Db, mut saved: Connection) -> Result<Connection, StoreError> {
    if find_destination(db, &saved.destination_id, Some(&saved.tenant))?.is_none() {
        return Err(StoreError::NotFound(format!(
            "destination `{}`",
            saved.destination_id
        )));
    }
    saved.updated_at = now_ms();
    let changed = db.execute(
        "UPDATE connections SET name = ?3, source_id = ?4, destination_id = ?5, rules = ?6,
           enabled = ?7, updated_at = ?8
         WHERE id = ?1 AND tenant = ?2 AND deleted_at IS NULL",
        params![
            saved.id,
            saved.tenant,
            saved.name,
            saved.source_id,
            saved.destination_id,
            to_json(&saved.rules)?,
            saved.enabled,
            saved.updated_at
        ],
    )?;
    if changed == 0 {
        return Err(StoreError::NotFound(format!("connection `{}`", saved.id)));
    }
    Ok(saved)
}

pub fn delete_connection(db: &mut Db, tenant: &str, id: &str) -> Result<(), StoreError> {
    let changed = db.execute(
        "UPDATE connections SET deleted_at = ?3
         WHERE id = ?1 AND tenant = ?2 AND deleted_at IS NULL",
        params![id, tenant, now_ms()],
    )?;
    if changed == 0 {
        return Err(StoreError::NotFound(format!("connection `{id}`")));
    }
    Ok(())
}
