//! The 100 typed `com.example.Person` objects every codec and request
//! benchmark sends (6 sealed members each), so that their figures are of
//! one structure. Included by path from the codec bench, the gateway's
//! `request_cost` example and flexgate-bench.

use flexgate_amf::{Object, Traits, Value};

/// 100 typed Person objects.
pub(crate) fn persons() -> Vec<Value> {
    let person = Traits::sealed(
        "com.example.Person",
        &["id", "name", "email", "age", "active", "score"],
    );
    (0..100)
        .map(|i| {
            Value::object(Object::typed(
                person.clone(),
                vec![
                    Value::Integer(i),
                    Value::string(format!("Person {i}")),
                    Value::string(format!("person{i}@example.com")),
                    Value::Integer(20 + i % 50),
                    Value::Bool(i % 2 == 0),
                    Value::Number(f64::from(i) * 1.5),
                ],
            ))
        })
        .collect()
}
