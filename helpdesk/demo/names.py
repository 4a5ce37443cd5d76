"""Names for the demo school: first names and surnames as found on a British school roll."""

from __future__ import annotations

# fmt: off
FIRST_NAMES = (
    "Oliver", "George", "Noah", "Arthur", "Harry", "Leo", "Muhammad", "Jack", "Charlie", "Oscar",
    "Jacob", "Henry", "Thomas", "Freddie", "Alfie", "Theo", "William", "Theodore", "Archie",
    "Joshua", "Alexander", "James", "Isaac", "Edward", "Lucas", "Tommy", "Finley", "Max", "Logan",
    "Ethan", "Mason", "Harrison", "Joseph", "Samuel", "Daniel", "Adam", "Reggie", "Hugo", "Rory",
    "Dylan", "Ibrahim", "Yusuf", "Aarav", "Kai", "Callum", "Ryan", "Jayden", "Kacper", "Olamide",
    "Rhys", "Cian", "Ewan", "Olivia", "Amelia", "Isla", "Ava", "Ivy", "Freya", "Lily", "Florence",
    "Mia", "Willow", "Rosie", "Sophia", "Isabella", "Grace", "Daisy", "Sienna", "Poppy", "Elsie",
    "Emily", "Ella", "Evelyn", "Phoebe", "Sofia", "Evie", "Charlotte", "Harper", "Millie",
    "Matilda", "Maya", "Ruby", "Chloe", "Jessica", "Hannah", "Zara", "Aisha", "Fatima", "Amira",
    "Priya", "Niamh", "Erin", "Megan", "Holly", "Lola", "Imogen", "Zoë", "Chiamaka", "Maja",
    "Anaya", "Eleanor", "Beatrice",
)

LAST_NAMES = (
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas",
    "Johnson", "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards", "Hughes",
    "Green", "Hall", "Lewis", "Harris", "Clarke", "Patel", "Jackson", "Wood", "Turner", "Martin",
    "Cooper", "Hill", "Ward", "Morris", "Moore", "Clark", "Lee", "King", "Baker", "Harrison",
    "Morgan", "Allen", "James", "Scott", "Phillips", "Watson", "Davis", "Parker", "Price",
    "Bennett", "Young", "Griffiths", "Mitchell", "Kelly", "Cook", "Carter", "Richardson", "Bailey",
    "Collins", "Bell", "Shaw", "Murphy", "Miller", "Cox", "Richards", "Khan", "Marshall",
    "Anderson", "Simpson", "Ellis", "Adams", "Singh", "Begum", "Wilkinson", "Foster", "Chapman",
    "Powell", "Webb", "Rogers", "Gray", "Mason", "Ali", "Hunt", "Hussain", "Campbell", "Matthews",
    "Owen", "Palmer", "Holmes", "Mills", "Barnes", "Knight", "Lloyd", "Butler", "Russell",
    "Barker", "Fisher", "Stevens", "Jenkins", "Murray", "Dixon", "Harvey", "Kaur", "Nowak",
    "Okafor", "Mensah", "O'Brien", "MacDonald", "Ahmed", "Chowdhury", "Kowalski", "Nguyen", "Osei",
    "Brontë", "Fitzgerald", "Doyle", "Reid", "Grant",
)
# fmt: on
