//! `<security>`: constraint definitions (and `constraint-include`), and
//! the constraint a destination ends up with. A constraint's roles become
//! the destination's `roles`; logging in itself is flexgate's (`[users]`
//! or `Gateway::authenticator`).

use crate::import::context::{included, Constraint, Ctx, Node};
use crate::import::error::ImportError;

/// BlazeDS's default and flexgate's only way: ChannelSet.login /
/// setCredentials.
const CUSTOM: &str = "Custom";

/// Reads the top-level `<security>` section.
pub(crate) fn section(ctx: &mut Ctx<'_>, node: &Node<'_>) -> Result<(), ImportError> {
    ctx.other_attributes(node, &[]);
    for c in node.children() {
        match c.el.name.as_str() {
            "security-constraint" => definition(ctx, &c)?,
            "constraint-include" => {
                for doc in ctx.include(&c, "security-constraints", "security-constraint")? {
                    for d in included(ctx, &doc, "security-constraint") {
                        definition(ctx, &d)?;
                    }
                }
            }
            "login-command" => ctx.unmapped(
                &c,
                "flexgate checks logins itself: users with roles in [users], or your Gateway::authenticator",
            ),
            _ => ctx.unmapped(&c, "no flexgate setting"),
        }
    }
    Ok(())
}

/// `<security-constraint id>`: registered for `ref`s.
fn definition(ctx: &mut Ctx<'_>, node: &Node<'_>) -> Result<(), ImportError> {
    let id = node.required("id")?.to_owned();
    let constraint = read(ctx, node)?;
    if ctx.constraints.insert(id.clone(), constraint).is_some() {
        return Err(node.invalid(format!("security constraint '{id}' is defined twice")));
    }
    Ok(())
}

/// An inline or defined constraint's auth method and roles.
fn read(ctx: &mut Ctx<'_>, node: &Node<'_>) -> Result<Constraint, ImportError> {
    ctx.other_attributes(node, &["id", "auth-method"]);
    let mut roles: Option<Vec<String>> = None;
    for c in node.children() {
        match c.el.name.as_str() {
            "id" => {}
            "auth-method" => {
                if let Some(method) = ctx.value(&c, &c.el.text) {
                    if !method.eq_ignore_ascii_case(CUSTOM) {
                        ctx.unmapped(
                            &c,
                            format!("{method}: flexgate sends no HTTP Basic challenge; clients log in with ChannelSet.login or setCredentials (Custom)"),
                        );
                    }
                }
            }
            "roles" => {
                ctx.other_attributes(&c, &[]);
                for r in c.children() {
                    if r.el.name != "role" {
                        ctx.unmapped(&r, "no flexgate setting");
                        continue;
                    }
                    if let Some(role) = ctx.value(&r, &r.el.text).filter(|v| !v.is_empty()) {
                        roles.get_or_insert_with(Vec::new).push(role);
                    }
                }
            }
            _ => ctx.unmapped(&c, "no flexgate setting"),
        }
    }
    if let Some(method) = node.el.attribute("auth-method") {
        if !method.eq_ignore_ascii_case(CUSTOM) {
            ctx.unmapped_attribute(
                node,
                "auth-method",
                "flexgate authenticates with ChannelSet.login (Custom) only",
            );
        }
    }
    Ok(Constraint { roles })
}

/// The constraint `ref` names.
fn by_ref(ctx: &Ctx<'_>, node: &Node<'_>, id: &str) -> Result<Constraint, ImportError> {
    ctx.constraints
        .get(id)
        .cloned()
        .ok_or_else(|| node.invalid(format!("no security constraint '{id}'")))
}

/// A service's `<default-security-constraint ref>`.
pub(crate) fn service_default(
    ctx: &mut Ctx<'_>,
    node: &Node<'_>,
) -> Result<Option<Constraint>, ImportError> {
    match node.child("default-security-constraint") {
        Some(c) => {
            ctx.other_attributes(&c, &["ref"]);
            let id = c.required("ref")?;
            by_ref(ctx, &c, id).map(Some)
        }
        None => Ok(None),
    }
}

/// A destination's constraint: the `security-constraint` attribute, else
/// `<security><security-constraint ref|inline>`, else the service default.
pub(crate) fn destination(
    ctx: &mut Ctx<'_>,
    node: &Node<'_>,
    service_default: Option<&Constraint>,
) -> Result<Option<Constraint>, ImportError> {
    if let Some(id) = node.el.attribute("security-constraint").map(str::trim) {
        if !id.is_empty() {
            return by_ref(ctx, node, id).map(Some);
        }
    }
    let Some(security) = node.child("security") else {
        return Ok(service_default.cloned());
    };
    ctx.other_attributes(&security, &[]);
    let mut found = None;
    for c in security.children() {
        if c.el.name != "security-constraint" || found.is_some() {
            ctx.unmapped(&c, "no flexgate setting");
            continue;
        }
        found = Some(match c.el.attribute_or_child("ref") {
            Some(id) => {
                ctx.other_attributes(&c, &["ref"]);
                by_ref(ctx, &c, id)?
            }
            None => read(ctx, &c)?,
        });
    }
    Ok(found)
}
